using Cauchy.Testing;
using Xunit;

namespace Cauchy.Metrics.Tests;

/// <summary>A setting the metrics service cannot work with stops it at start-up, and the message names the key.</summary>
public sealed class StartupOptionsTests
{
    [Fact]
    public async Task An_unknown_database_provider_stops_the_service_at_start_up_naming_the_key()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync(
            "metrics", "Cauchy.Metrics", new Dictionary<string, string> { ["CAUCHY_DATABASE__PROVIDER"] = "oracle" }));

        Assert.Contains("exited with code", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Database:Provider is 'oracle'; it must be 'sqlite' or 'postgres'.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_class_limit_beyond_what_an_evaluation_can_carry_stops_the_service_at_start_up_naming_the_key()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync(
            "metrics", "Cauchy.Metrics", new Dictionary<string, string> { ["CAUCHY_METRICS__LIMITS__MAXCLASSES"] = "50000" }));

        Assert.Contains("Metrics:Limits:MaxClasses is 50000; it must be between 1 and 4096.", failure.Message, StringComparison.Ordinal);
    }
}
