using Xunit;

namespace Cauchy.Registry.Tests.Support;

/// <summary>The registry process in its embedded configuration: SQLite and the local object store under a temporary data folder.</summary>
public sealed class LocalRegistryFixture : IAsyncLifetime
{
    public RegistryProcess Service { get; private set; } = null!;

    public async Task InitializeAsync() => Service = await RegistryProcess.StartAsync();

    public async Task DisposeAsync() => await Service.DisposeAsync();
}
