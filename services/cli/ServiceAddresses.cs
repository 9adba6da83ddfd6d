namespace Cauchy.Cli;

/// <summary>
/// Where each service listens. Precedence: a <c>--&lt;service&gt;-address</c> flag, then the environment variable
/// <c>CAUCHY_&lt;SERVICE&gt;_ADDRESS</c>, then <c>http://&lt;host&gt;:&lt;default port&gt;</c> with the host from
/// <c>--host</c> or <c>CAUCHY_HOST</c> (default 127.0.0.1) — the ports of <c>make up</c> (README).
/// </summary>
public sealed class ServiceAddresses(Func<string, string?> environment)
{
    public static readonly IReadOnlyDictionary<string, int> DefaultPorts = new Dictionary<string, int>
    {
        ["datasets"] = 50051,
        ["jobs"] = 50052,
        ["trainer"] = 50053,
        ["metrics"] = 50054,
        ["registry"] = 50055,
    };

    public string? Host { get; set; }

    public Dictionary<string, string?> Overrides { get; } = [];

    public Uri For(string service)
    {
        var text = Overrides.GetValueOrDefault(service)
            ?? environment($"CAUCHY_{service.ToUpperInvariant()}_ADDRESS")
            ?? $"http://{Host ?? environment("CAUCHY_HOST") ?? "127.0.0.1"}:{DefaultPorts[service]}";
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "http://" + text;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new CliException($"'{text}' is not a valid address for the {service} service (expected http://host:port)");
    }
}
