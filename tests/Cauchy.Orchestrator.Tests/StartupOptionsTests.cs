using Cauchy.Testing;
using Xunit;

namespace Cauchy.Orchestrator.Tests;

/// <summary>Settings that would make leases unusable stop the orchestrator at start-up, and the message names the keys.</summary>
public sealed class StartupOptionsTests
{
    [Theory]
    [InlineData("CAUCHY_JOBS__HEARTBEATINTERVALSECONDS", "120", "Jobs:HeartbeatIntervalSeconds (120) must be > 0 and below Jobs:LeaseSeconds (60).")]
    [InlineData("CAUCHY_JOBS__POLLSECONDS", "0", "Jobs:ReaperIntervalSeconds, PollSeconds and IdempotencyKeyHours must be > 0")]
    public async Task An_invalid_jobs_option_stops_the_orchestrator_at_start_up_naming_the_key(string variable, string value, string message)
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync(
            "orchestrator", "Cauchy.Orchestrator", new Dictionary<string, string> { [variable] = value }));

        Assert.Contains("exited with code", failure.Message, StringComparison.Ordinal);
        Assert.Contains(message, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_authentication_on_and_no_service_secret_the_orchestrator_refuses_to_start_naming_the_key()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync(
            "orchestrator", "Cauchy.Orchestrator", new Dictionary<string, string> { ["CAUCHY_AUTHENTICATION__SERVICESECRET"] = "" }));

        Assert.Contains("exited with code", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Authentication:ServiceSecret (or Authentication:ServiceSecretFile) must be set when Authentication:Mode is 'tokens'", failure.Message, StringComparison.Ordinal);
    }
}
