using Cauchy.V1;

namespace Cauchy.Registry.Domain;

/// <summary>
/// Which stage moves are allowed. A version starts in NONE, is tried in STAGING, serves in PRODUCTION and retires to
/// ARCHIVED; an archived version may come back to STAGING or PRODUCTION (a rollback). Nothing returns to NONE (it
/// means "never promoted"), and PRODUCTION does not step back to STAGING: archive it and stage it again, so that the
/// history of a version always reads forwards.
/// </summary>
public static class StageTransitions
{
    private static readonly Dictionary<ModelStage, ModelStage[]> Allowed = new()
    {
        [ModelStage.None] = [ModelStage.Staging, ModelStage.Production, ModelStage.Archived],
        [ModelStage.Staging] = [ModelStage.Production, ModelStage.Archived],
        [ModelStage.Production] = [ModelStage.Archived],
        [ModelStage.Archived] = [ModelStage.Staging, ModelStage.Production],
    };

    public static bool IsAllowed(ModelStage from, ModelStage to) =>
        from == to || (Allowed.TryGetValue(from, out var targets) && targets.Contains(to));

    /// <summary>Stages whose current holders are archived when a version enters <paramref name="to"/> (unless asked otherwise).</summary>
    public static bool IsExclusive(ModelStage to) => to is ModelStage.Staging or ModelStage.Production;

    /// <summary>FAILED_PRECONDITION naming both stages, unless the move is allowed.</summary>
    public static void Check(string model, int version, ModelStage from, ModelStage to)
    {
        if (IsAllowed(from, to))
        {
            return;
        }
        var hint = to == ModelStage.None
            ? "NONE is only for versions that were never promoted"
            : "move it to ARCHIVED first, then to STAGING";
        throw RegistryErrors.FailedPrecondition(
            $"Model '{model}' version {version} cannot move from {Name(from)} to {Name(to)}: {hint}. Allowed from {Name(from)}: " +
            string.Join(", ", Allowed[from].Select(Name)) + ".");
    }

    public static string Name(ModelStage stage) => stage switch
    {
        ModelStage.None => "NONE",
        ModelStage.Staging => "STAGING",
        ModelStage.Production => "PRODUCTION",
        ModelStage.Archived => "ARCHIVED",
        _ => "UNSPECIFIED",
    };
}
