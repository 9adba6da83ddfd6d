using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Configuration;

namespace Cauchy.ServiceDefaults.GrpcClient;

/// <summary>
/// How inter-service calls are protected, from configuration section <c>Resilience</c>:
/// <list type="table">
/// <item><term><c>Resilience:DefaultDeadlineSeconds</c></term><description>deadline of a unary call whose caller set none; default 30; 0 = none</description></item>
/// <item><term><c>Resilience:StreamingDeadlineSeconds</c></term><description>the same for streaming calls; default 3600; 0 = none</description></item>
/// <item><term><c>Resilience:Retry:MaxRetries</c></term><description>retries after the first attempt of an idempotent unary call; default 3; 0 = no retries</description></item>
/// <item><term><c>Resilience:Retry:BaseDelayMilliseconds</c></term><description>median first backoff of the jittered exponential schedule; default 100</description></item>
/// <item><term><c>Resilience:Retry:MaxDelayMilliseconds</c></term><description>cap on any one backoff; default 2000</description></item>
/// <item><term><c>Resilience:Retry:IdempotentMethods:0</c> …</term><description>full method names (<c>/cauchy.v1.Jobs/Heartbeat</c>) that are safe to repeat</description></item>
/// <item><term><c>Resilience:Retry:NonIdempotentMethods:0</c> …</term><description>full method names never retried, whatever their name says</description></item>
/// <item><term><c>Resilience:Retry:IdempotentPrefixes:0</c> …</term><description>method-name prefixes that mark a read; default Get, List, Watch</description></item>
/// <item><term><c>Resilience:CircuitBreaker:FailureRatio</c></term><description>share of failed calls in the window that opens the circuit; default 0.5</description></item>
/// <item><term><c>Resilience:CircuitBreaker:MinimumThroughput</c></term><description>calls in the window before the ratio counts; default 10</description></item>
/// <item><term><c>Resilience:CircuitBreaker:SamplingSeconds</c></term><description>the window; default 30</description></item>
/// <item><term><c>Resilience:CircuitBreaker:BreakSeconds</c></term><description>how long an open circuit answers UNAVAILABLE before a probe; default 15</description></item>
/// <item><term><c>Resilience:CircuitBreaker:FailureStatusCodes:0</c> …</term><description>codes that count as failures; default Unavailable, DeadlineExceeded</description></item>
/// <item><term><c>Resilience:CircuitBreaker:StreamAcceptedSeconds</c></term><description>a stream still open (no headers, no error) after this long counts as a success; default 5</description></item>
/// </list>
/// </summary>
public sealed record GrpcResilienceOptions
{
    public const string SectionName = "Resilience";

    public TimeSpan DefaultDeadline { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan StreamingDeadline { get; init; } = TimeSpan.FromHours(1);

    public int MaxRetries { get; init; } = 3;

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    public IReadOnlyList<string> IdempotentMethods { get; init; } = ["/grpc.health.v1.Health/Check"];

    public IReadOnlyList<string> NonIdempotentMethods { get; init; } = [];

    public IReadOnlyList<string> IdempotentPrefixes { get; init; } = ["Get", "List", "Watch"];

    public double FailureRatio { get; init; } = 0.5;

    public int MinimumThroughput { get; init; } = 10;

    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(15);

    public IReadOnlyList<StatusCode> FailureStatusCodes { get; init; } = [StatusCode.Unavailable, StatusCode.DeadlineExceeded];

    public TimeSpan StreamAcceptedAfter { get; init; } = TimeSpan.FromSeconds(5);

    public static GrpcResilienceOptions FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        var retry = section.GetSection("Retry");
        var breaker = section.GetSection("CircuitBreaker");
        var defaults = new GrpcResilienceOptions();
        return new GrpcResilienceOptions
        {
            DefaultDeadline = Seconds(section, "DefaultDeadlineSeconds") ?? defaults.DefaultDeadline,
            StreamingDeadline = Seconds(section, "StreamingDeadlineSeconds") ?? defaults.StreamingDeadline,
            MaxRetries = (int?)Number(retry, "MaxRetries") ?? defaults.MaxRetries,
            RetryBaseDelay = Milliseconds(retry, "BaseDelayMilliseconds") ?? defaults.RetryBaseDelay,
            RetryMaxDelay = Milliseconds(retry, "MaxDelayMilliseconds") ?? defaults.RetryMaxDelay,
            IdempotentMethods = List(retry, "IdempotentMethods") ?? defaults.IdempotentMethods,
            NonIdempotentMethods = List(retry, "NonIdempotentMethods") ?? defaults.NonIdempotentMethods,
            IdempotentPrefixes = List(retry, "IdempotentPrefixes") ?? defaults.IdempotentPrefixes,
            FailureRatio = Number(breaker, "FailureRatio") ?? defaults.FailureRatio,
            MinimumThroughput = (int?)Number(breaker, "MinimumThroughput") ?? defaults.MinimumThroughput,
            SamplingDuration = Seconds(breaker, "SamplingSeconds") ?? defaults.SamplingDuration,
            BreakDuration = Seconds(breaker, "BreakSeconds") ?? defaults.BreakDuration,
            FailureStatusCodes = List(breaker, "FailureStatusCodes")?.Select(code => ParseStatusCode(code, breaker.Path)).ToArray() ?? defaults.FailureStatusCodes,
            StreamAcceptedAfter = Seconds(breaker, "StreamAcceptedSeconds") ?? defaults.StreamAcceptedAfter,
        };
    }

    private static double? Number(IConfigurationSection section, string key)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 && double.IsFinite(value)
            ? value
            : throw new InvalidOperationException($"{section.Path}:{key} must be a non-negative number, not '{text}'.");
    }

    private static TimeSpan? Seconds(IConfigurationSection section, string key) => Number(section, key) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    private static TimeSpan? Milliseconds(IConfigurationSection section, string key) => Number(section, key) is { } ms ? TimeSpan.FromMilliseconds(ms) : null;

    // Lists are read by hand: the configuration binder would append to the defaults instead of replacing them.
    private static string[]? List(IConfigurationSection section, string key) =>
        section.GetSection(key).Get<string[]>() is { Length: > 0 } values ? values : null;

    private static StatusCode ParseStatusCode(string text, string path) =>
        Enum.TryParse<StatusCode>(text.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true, out var code) && Enum.IsDefined(code)
            ? code
            : throw new InvalidOperationException($"{path}:FailureStatusCodes has '{text}', which is not a gRPC status code name.");
}
