using Cauchy.Testing;
using Xunit;

namespace Cauchy.Reliability.Tests;

/// <summary>One PostgreSQL server and one <see cref="ReliabilityPlatform"/> for the whole suite: every scenario leaves the platform running as it found it.</summary>
public sealed class ReliabilityFixture : IAsyncLifetime
{
    private readonly PostgresFixture _postgres = new();

    public ReliabilityPlatform Platform { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        Platform = await ReliabilityPlatform.StartAsync(_postgres);
    }

    public async Task DisposeAsync()
    {
        if (Platform is not null)
        {
            await Platform.DisposeAsync();
        }

        await _postgres.DisposeAsync();
    }
}
