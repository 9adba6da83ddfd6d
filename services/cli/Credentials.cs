namespace Cauchy.Cli;

/// <summary>
/// The bearer credential the CLI sends. Precedence: <c>--token</c>, then the environment variable <c>CAUCHY_TOKEN</c>,
/// then the file <c>CAUCHY_TOKEN_FILE</c> names, then <c>admin.token</c> in the run folder of <c>make up</c>
/// (<c>CAUCHY_RUN_DIR</c>, default <c>.run</c> in the working directory, as for <see cref="ServiceAddresses"/>); else none.
/// </summary>
public sealed class Credentials(Func<string, string?> environment, string? workingDirectory = null)
{
    /// <summary>The file in the run folder where the orchestrator started by scripts/up.sh writes its admin token.</summary>
    public const string RunFileName = "admin.token";

    private (string? Token, string Source)? _resolved;

    public string? Flag { get; set; }

    public string RunFile => Path.Combine(ServiceAddresses.RunFolder(environment, workingDirectory), RunFileName);

    /// <summary>The token, or null when none of the places holds one.</summary>
    public string? Token => Resolve().Token;

    /// <summary>Where the token came from, e.g. "CAUCHY_TOKEN".</summary>
    public string Source => Resolve().Source;

    /// <summary>Every place the CLI looks, in order, for an error message.</summary>
    public string Places => $"--token, CAUCHY_TOKEN, the file named by CAUCHY_TOKEN_FILE, {RunFile}";

    private (string? Token, string Source) Resolve() => _resolved ??= Find();

    private (string? Token, string Source) Find()
    {
        if (!string.IsNullOrWhiteSpace(Flag))
        {
            return (Flag.Trim(), "--token");
        }

        if (environment("CAUCHY_TOKEN") is { } variable && !string.IsNullOrWhiteSpace(variable))
        {
            return (variable.Trim(), "CAUCHY_TOKEN");
        }

        if (environment("CAUCHY_TOKEN_FILE") is { } file && !string.IsNullOrWhiteSpace(file))
        {
            return (Read(file) ?? throw new CliException($"CAUCHY_TOKEN_FILE names '{file}', which cannot be read or is empty"), $"CAUCHY_TOKEN_FILE ({file})");
        }

        return Read(RunFile) is { } recorded ? (recorded, $"{RunFile}, written by make up") : (null, "none");
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim() is { Length: > 0 } text ? text : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
