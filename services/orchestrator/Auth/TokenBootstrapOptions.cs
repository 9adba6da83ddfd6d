namespace Cauchy.Orchestrator.Auth;

/// <summary><c>Authentication:BootstrapTokenFile</c>: where the first admin token lives.</summary>
public sealed class TokenBootstrapOptions
{
    public const string SectionName = "Authentication";

    /// <summary>
    /// A file holding an admin token's secret. Missing at start-up: an admin token named <c>bootstrap-admin</c> is
    /// created and its secret written there (mode 600). Present (e.g. a mounted Kubernetes Secret): its hash is
    /// registered as <c>bootstrap-admin</c> unless it already is. Empty: no bootstrap token.
    /// </summary>
    public string BootstrapTokenFile { get; set; } = "";
}
