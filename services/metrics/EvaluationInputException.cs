namespace Cauchy.Metrics;

/// <summary>
/// A caller's mistake in an evaluation's input. <see cref="Field"/> names the request field at fault, so the
/// gRPC layer can answer INVALID_ARGUMENT with a message a user can act on.
/// </summary>
public sealed class EvaluationInputException(string field, string problem)
    : Exception($"{field}: {problem}")
{
    public string Field { get; } = field;

    public string Problem { get; } = problem;
}
