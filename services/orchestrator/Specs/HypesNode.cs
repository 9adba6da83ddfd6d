namespace Cauchy.Orchestrator.Specs;

/// <summary>
/// A hypes document parsed from YAML or JSON, before it is matched against <c>JobSpec</c>: mappings, sequences
/// and scalars, each with the line it starts on so every error can point at the document.
/// </summary>
public abstract record HypesNode(int Line);

public sealed record HypesMapping(int Line, IReadOnlyList<KeyValuePair<HypesScalar, HypesNode>> Entries) : HypesNode(Line);

public sealed record HypesSequence(int Line, IReadOnlyList<HypesNode> Items) : HypesNode(Line);

/// <summary>A scalar's text. <paramref name="IsNull"/> is YAML's <c>null</c>/<c>~</c>/empty or JSON's <c>null</c>.</summary>
public sealed record HypesScalar(int Line, string Text, bool IsNull = false) : HypesNode(Line);
