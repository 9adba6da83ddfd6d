namespace Cauchy.Orchestrator.Specs;

/// <summary>
/// A hypes document or spec that cannot be accepted. <see cref="Path"/> names the field in the JobSpec's terms
/// (e.g. <c>spec.hyperparameters.optimizer.learning_rate</c>) and <see cref="Line"/> is the document line, when
/// the spec came from a document.
/// </summary>
public sealed class HypesException(string path, int? line, string problem)
    : Exception(line is { } l ? $"{path} (line {l}): {problem}" : $"{path}: {problem}")
{
    public string Path { get; } = path;

    public int? Line { get; } = line;

    public string Problem { get; } = problem;
}
