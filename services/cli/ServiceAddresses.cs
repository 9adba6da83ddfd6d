namespace Cauchy.Cli;

/// <summary>
/// Where each service listens. Precedence: a <c>--&lt;service&gt;-address</c> flag, then the environment variable
/// <c>CAUCHY_&lt;SERVICE&gt;_ADDRESS</c>; then, when <c>--host</c>, <c>CAUCHY_HOST</c> or <c>CAUCHY_PORT_OFFSET</c> is
/// given, <c>http://&lt;host&gt;:&lt;default port + offset&gt;</c> (host default 127.0.0.1); then the addresses that
/// <c>make up</c> recorded in its run folder (<c>CAUCHY_RUN_DIR</c>, default <c>.run</c> in the working directory,
/// file <c>addresses</c>); then the default ports on 127.0.0.1 — the ports of <c>make up</c> (README).
/// </summary>
public sealed class ServiceAddresses(Func<string, string?> environment, string? workingDirectory = null)
{
    /// <summary>The file in the run folder where scripts/up.sh writes one <c>CAUCHY_&lt;SERVICE&gt;_ADDRESS=...</c> line per service.</summary>
    public const string RunFileName = "addresses";

    public static readonly IReadOnlyDictionary<string, int> DefaultPorts = new Dictionary<string, int>
    {
        ["datasets"] = 50051,
        ["jobs"] = 50052,
        ["trainer"] = 50053,
        ["metrics"] = 50054,
        ["registry"] = 50055,
    };

    private Dictionary<string, string>? _recorded;

    public string? Host { get; set; }

    public Dictionary<string, string?> Overrides { get; } = [];

    /// <summary>The run folder's address file (it may not exist).</summary>
    public string RunFile => Path.Combine(RunFolder(environment, workingDirectory), RunFileName);

    /// <summary>The run folder of <c>make up</c>: <c>CAUCHY_RUN_DIR</c>, or <c>.run</c> in the working directory.</summary>
    public static string RunFolder(Func<string, string?> environment, string? workingDirectory) =>
        environment("CAUCHY_RUN_DIR") is { Length: > 0 } runDir ? runDir : Path.Combine(workingDirectory ?? Environment.CurrentDirectory, ".run");

    public Uri For(string service) => Resolve(service).Address;

    /// <summary>The service's address and where it came from, e.g. "default port" or "--jobs-address".</summary>
    public (Uri Address, string Source) Resolve(string service)
    {
        var variable = $"CAUCHY_{service.ToUpperInvariant()}_ADDRESS";
        var (text, source) = Overrides.GetValueOrDefault(service) is { } flag ? (flag, $"--{service}-address")
            : environment(variable) is { } fromEnvironment ? (fromEnvironment, variable)
            : FromHostAndOffset(service) ?? FromRunFile(variable) ?? ($"http://127.0.0.1:{DefaultPorts[service]}", "default port");
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "http://" + text;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? (uri, source)
            : throw new CliException($"'{text}' is not a valid address for the {service} service (expected http://host:port; from {source})");
    }

    private (string, string)? FromHostAndOffset(string service)
    {
        var host = Host ?? environment("CAUCHY_HOST");
        var offsetText = environment("CAUCHY_PORT_OFFSET");
        if (host is null && string.IsNullOrWhiteSpace(offsetText))
        {
            return null;
        }

        var offset = 0;
        if (!string.IsNullOrWhiteSpace(offsetText) && !int.TryParse(offsetText, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out offset))
        {
            throw new CliException($"CAUCHY_PORT_OFFSET is '{offsetText}'; expected a whole number of ports");
        }

        var source = (Host is not null ? "--host" : host is not null ? "CAUCHY_HOST" : "") switch
        {
            "" => $"CAUCHY_PORT_OFFSET={offset}",
            var h when offset != 0 => $"{h}, CAUCHY_PORT_OFFSET={offset}",
            var h => $"{h}, default port",
        };
        return ($"http://{host ?? "127.0.0.1"}:{DefaultPorts[service] + offset}", source);
    }

    private (string, string)? FromRunFile(string variable)
    {
        if (_recorded is null)
        {
            _recorded = [];
            try
            {
                foreach (var line in File.ReadLines(RunFile))
                {
                    var equals = line.IndexOf('=');
                    if (equals > 0 && !line.TrimStart().StartsWith('#'))
                    {
                        _recorded[line[..equals].Trim()] = line[(equals + 1)..].Trim();
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // No platform recorded (or unreadable): the default ports apply.
            }
        }

        return _recorded.GetValueOrDefault(variable) is { Length: > 0 } address ? (address, $"recorded by make up in {RunFile}") : null;
    }
}
