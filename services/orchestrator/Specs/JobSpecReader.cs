using Cauchy.V1;

namespace Cauchy.Orchestrator.Specs;

/// <summary>Turns a submission (a structured spec or a hypes document) into a valid spec with defaults filled in.</summary>
public static class JobSpecReader
{
    /// <exception cref="InvalidJobSpecException">The document cannot be read or the spec is invalid.</exception>
    public static JobSpec Read(SubmitJobRequest request)
    {
        BoundSpec bound;
        switch (request.SourceCase)
        {
            case SubmitJobRequest.SourceOneofCase.Spec:
                bound = new BoundSpec(request.Spec, new Dictionary<string, int>());
                break;
            case SubmitJobRequest.SourceOneofCase.Hypes:
                try
                {
                    bound = HypesBinder.Bind(HypesReader.Read(request.Hypes.Text, request.Hypes.Format));
                }
                catch (HypesException ex)
                {
                    throw new InvalidJobSpecException([ex]);
                }

                break;
            default:
                throw new InvalidJobSpecException([new HypesException("spec", null, "is required: send a spec or a hypes document")]);
        }

        var problems = JobSpecValidator.Validate(bound.Spec, bound.Lines);
        if (problems.Count > 0)
        {
            throw new InvalidJobSpecException(problems);
        }

        return JobSpecDefaults.Apply(bound.Spec);
    }
}
