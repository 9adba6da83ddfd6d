using Cauchy.Testing;
using Xunit;

namespace Cauchy.Cli.Tests;

/// <summary>The metrics service run as its own process, for <c>cauchy eval coco</c>.</summary>
public sealed class MetricsServiceFixture : IAsyncLifetime
{
    public ServiceProcess Service { get; private set; } = null!;

    public async Task InitializeAsync() => Service = await ServiceProcess.StartAsync("metrics", "Cauchy.Metrics");

    public async Task DisposeAsync() => await Service.DisposeAsync();
}
