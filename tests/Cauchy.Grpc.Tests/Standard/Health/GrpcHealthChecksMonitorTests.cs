using Cauchy.Grpc.Services.Mapping;
using Cauchy.Grpc.Tests.Standard.Support;
using Grpc.AspNetCore.HealthChecks;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cauchy.Grpc.Tests.Standard.Health;

public sealed class GrpcHealthChecksMonitorTests : IAsyncLifetime
{
    private const string Jobs = "cauchy.v1.Jobs";
    private const string Models = "cauchy.v1.Models";

    private readonly HealthServiceImpl _health = new();
    private readonly TestApplicationLifetime _lifetime = new();
    private readonly ServiceProvider _provider;
    private readonly GrpcHealthChecksMonitor _monitor;
    private volatile bool _databaseUp = true;

    public GrpcHealthChecksMonitorTests()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddCheck(
            "database",
            () => _databaseUp ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("connection refused"),
            tags: ["jobs"]);
        _provider = services.BuildServiceProvider();
        var options = new GrpcHealthChecksOptions { CheckInterval = TimeSpan.FromMilliseconds(50) }
            .Map(Models, _ => false);
        _monitor = new GrpcHealthChecksMonitor(
            _health,
            _provider.GetRequiredService<HealthCheckService>(),
            _provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>(),
            Options.Create(options),
            new FixedMappedServices([global::Grpc.Health.V1.Health.Descriptor, Cauchy.Probe.V1.Probe.Descriptor]),
            _lifetime,
            NullLogger<GrpcHealthChecksMonitor>.Instance);
    }

    public Task InitializeAsync() => _monitor.StartAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _monitor.StopAsync(CancellationToken.None);
        _monitor.Dispose();
        await _provider.DisposeAsync();
        _lifetime.Dispose();
    }

    [Fact]
    public async Task BeforeTheApplicationStarts_EveryServiceIsNotServing()
    {
        Assert.Equal(ServingStatus.NotServing, await StatusOf(""));
        Assert.Equal(ServingStatus.NotServing, await StatusOf("grpc.health.v1.Health"));
        Assert.Equal(ServingStatus.NotServing, await StatusOf("cauchy.probe.v1.Probe"));
    }

    [Fact]
    public async Task OnceStarted_TheServerAndEveryMappedServiceServe()
    {
        _lifetime.FireStarted();

        await Eventually("", ServingStatus.Serving);
        await Eventually("grpc.health.v1.Health", ServingStatus.Serving);
        await Eventually("cauchy.probe.v1.Probe", ServingStatus.Serving);
        await Eventually(Models, ServingStatus.Serving);
    }

    [Fact]
    public async Task FailingDependency_StopsTheServicesThatDependOnIt_AndRecovers()
    {
        _lifetime.FireStarted();
        await Eventually("", ServingStatus.Serving);

        _databaseUp = false;

        await Eventually("", ServingStatus.NotServing);
        await Eventually("cauchy.probe.v1.Probe", ServingStatus.NotServing);
        // Mapped to no check at all: the database does not concern it.
        Assert.Equal(ServingStatus.Serving, await StatusOf(Models));

        _databaseUp = true;

        await Eventually("", ServingStatus.Serving);
        await Eventually("cauchy.probe.v1.Probe", ServingStatus.Serving);
    }

    [Fact]
    public async Task WhenStopping_EveryServiceTurnsNotServing_AndWatchesEnd()
    {
        _lifetime.FireStarted();
        await Eventually("cauchy.probe.v1.Probe", ServingStatus.Serving);
        var stream = new RecordingStreamWriter<HealthCheckResponse>();
        var watch = _health.Watch(new HealthCheckRequest { Service = "cauchy.probe.v1.Probe" }, stream, Context());
        Assert.Equal(ServingStatus.Serving, (await stream.NextAsync()).Status);

        _lifetime.FireStopping();

        Assert.Equal(ServingStatus.NotServing, (await stream.NextAsync()).Status);
        await watch.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(ServingStatus.NotServing, await StatusOf(""));
        Assert.Equal(ServingStatus.NotServing, await StatusOf(Models));
        // Checks still pass and keep running until the host stops the monitor: they must not
        // bring a stopping server back into rotation.
        await _monitor.RefreshAsync(CancellationToken.None);
        Assert.Equal(ServingStatus.NotServing, await StatusOf(""));
    }

    private async Task<ServingStatus> StatusOf(string service) =>
        (await _health.Check(new HealthCheckRequest { Service = service }, Context())).Status;

    private async Task Eventually(string service, ServingStatus expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        ServingStatus actual;
        while ((actual = await StatusOf(service)) != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.Equal(expected, actual);
    }

    private static TestServerCallContext Context() => new("/grpc.health.v1.Health/Check");
}
