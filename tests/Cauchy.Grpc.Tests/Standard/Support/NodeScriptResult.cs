namespace Cauchy.Grpc.Tests.Standard.Support;

/// <summary>How a node script ended and what it printed.</summary>
internal sealed record NodeScriptResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit code {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
