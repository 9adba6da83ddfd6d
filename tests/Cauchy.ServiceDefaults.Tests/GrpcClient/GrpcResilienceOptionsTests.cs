using Cauchy.ServiceDefaults.GrpcClient;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.GrpcClient;

public sealed class GrpcResilienceOptionsTests
{
    private static GrpcResilienceOptions Read(Dictionary<string, string?> settings) =>
        GrpcResilienceOptions.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

    [Fact]
    public void Defaults_apply_when_the_section_is_absent()
    {
        var options = Read([]);

        Assert.Equal(TimeSpan.FromSeconds(30), options.DefaultDeadline);
        Assert.Equal(3, options.MaxRetries);
        Assert.Equal(["Get", "List", "Watch"], options.IdempotentPrefixes);
        Assert.Equal([StatusCode.Unavailable, StatusCode.DeadlineExceeded], options.FailureStatusCodes);
    }

    [Fact]
    public void Every_key_is_read_and_lists_replace_the_defaults()
    {
        var options = Read(new()
        {
            ["Resilience:DefaultDeadlineSeconds"] = "5",
            ["Resilience:StreamingDeadlineSeconds"] = "0",
            ["Resilience:Retry:MaxRetries"] = "1",
            ["Resilience:Retry:BaseDelayMilliseconds"] = "50",
            ["Resilience:Retry:MaxDelayMilliseconds"] = "500",
            ["Resilience:Retry:IdempotentMethods:0"] = "/cauchy.v1.Jobs/Heartbeat",
            ["Resilience:Retry:NonIdempotentMethods:0"] = "/cauchy.v1.Jobs/GetOrCreateQueue",
            ["Resilience:Retry:IdempotentPrefixes:0"] = "Fetch",
            ["Resilience:CircuitBreaker:FailureRatio"] = "0.25",
            ["Resilience:CircuitBreaker:MinimumThroughput"] = "4",
            ["Resilience:CircuitBreaker:SamplingSeconds"] = "10",
            ["Resilience:CircuitBreaker:BreakSeconds"] = "2",
            ["Resilience:CircuitBreaker:FailureStatusCodes:0"] = "UNAVAILABLE",
            ["Resilience:CircuitBreaker:FailureStatusCodes:1"] = "resource_exhausted",
            ["Resilience:CircuitBreaker:StreamAcceptedSeconds"] = "0.5",
        });

        Assert.Equal(TimeSpan.FromSeconds(5), options.DefaultDeadline);
        Assert.Equal(TimeSpan.Zero, options.StreamingDeadline);
        Assert.Equal(1, options.MaxRetries);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.RetryBaseDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.RetryMaxDelay);
        Assert.Equal(["/cauchy.v1.Jobs/Heartbeat"], options.IdempotentMethods);
        Assert.Equal(["/cauchy.v1.Jobs/GetOrCreateQueue"], options.NonIdempotentMethods);
        Assert.Equal(["Fetch"], options.IdempotentPrefixes);
        Assert.Equal(0.25, options.FailureRatio);
        Assert.Equal(4, options.MinimumThroughput);
        Assert.Equal(TimeSpan.FromSeconds(10), options.SamplingDuration);
        Assert.Equal(TimeSpan.FromSeconds(2), options.BreakDuration);
        Assert.Equal([StatusCode.Unavailable, StatusCode.ResourceExhausted], options.FailureStatusCodes);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.StreamAcceptedAfter);
    }

    [Theory]
    [InlineData("Resilience:Retry:MaxRetries", "many")]
    [InlineData("Resilience:DefaultDeadlineSeconds", "-1")]
    [InlineData("Resilience:CircuitBreaker:FailureStatusCodes:0", "SOMETIMES")]
    public void Invalid_values_fail_naming_the_key(string key, string value)
    {
        var failure = Assert.Throws<InvalidOperationException>(() => Read(new() { [key] = value }));

        Assert.Contains(key[..key.LastIndexOf(':')], failure.Message, StringComparison.Ordinal);
    }
}
