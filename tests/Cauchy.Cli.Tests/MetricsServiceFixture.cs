using Cauchy.Testing;
using Xunit;

namespace Cauchy.Cli.Tests;

/// <summary>
/// The metrics service run as its own process, for <c>cauchy eval coco</c>; with authentication off, since no
/// orchestrator runs to check platform tokens.
/// </summary>
public sealed class MetricsServiceFixture : IAsyncLifetime
{
    public ServiceProcess Service { get; private set; } = null!;

    public async Task InitializeAsync() => Service = await ServiceProcess.StartAsync("metrics", "Cauchy.Metrics", new Dictionary<string, string>([TestAuthentication.Off]));

    public async Task DisposeAsync() => await Service.DisposeAsync();
}
