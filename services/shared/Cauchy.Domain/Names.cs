using System.Text.RegularExpressions;

namespace Cauchy.Domain;

/// <summary>
/// The identifier rule of common.proto ("Identifiers"): dataset ids and model names are chosen by the caller and are
/// DNS labels, so they can appear in Kubernetes object names.
/// </summary>
public static partial class Names
{
    /// <summary>The rule in words, for refusals.</summary>
    public const string Rule = "1-63 characters of [a-z0-9-], starting with a letter and not ending with '-'";

    /// <summary>
    /// The rule as a pattern, anchored with \A and \z: .NET's $ also matches before a final newline, which would let
    /// "name\n" through.
    /// </summary>
    [GeneratedRegex(@"\A[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?\z")]
    public static partial Regex Pattern();

    /// <summary>Whether <paramref name="value"/> is a valid dataset id or model name.</summary>
    public static bool IsValid(string? value) => value is not null && Pattern().IsMatch(value);
}
