using Cauchy.Domain;

namespace Cauchy.Orchestrator.Specs;

/// <summary>
/// Every problem of a submitted spec; the message lists them all, each naming its field. A refusal like any other
/// (INVALID_ARGUMENT), which also keeps the problems apart for callers in this process.
/// </summary>
public sealed class InvalidJobSpecException(IReadOnlyList<HypesException> problems)
    : DomainException(DomainErrorKind.InvalidArgument,
        problems.Count == 1 ? problems[0].Message : $"{problems.Count} problems: " + string.Join("; ", problems.Select(p => p.Message)))
{
    public IReadOnlyList<HypesException> Problems { get; } = problems;
}
