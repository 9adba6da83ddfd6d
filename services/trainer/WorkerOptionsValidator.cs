using Microsoft.Extensions.Options;

namespace Cauchy.Trainer;

/// <summary>Rejects <see cref="WorkerOptions"/> the worker cannot run with, naming each key at fault, so a bad setting stops the trainer at start-up.</summary>
public sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        var failures = new List<string>();
        if (options.Device is not ("auto" or "cpu" or "cuda"))
        {
            failures.Add($"Trainer:Device is '{options.Device}'; it must be auto, cpu or cuda.");
        }

        if (options.LeaseWaitSeconds is < 0 or > 300)
        {
            failures.Add($"Trainer:LeaseWaitSeconds is {options.LeaseWaitSeconds}; it must be between 0 and 300.");
        }

        AtLeast(failures, "Threads", options.Threads, 0);
        AtLeast(failures, "LoaderWorkers", options.LoaderWorkers, 1);
        AtLeast(failures, "ProgressEverySteps", options.ProgressEverySteps, 1);
        AtLeast(failures, "EvaluationBatch", options.EvaluationBatch, 1);
        AtLeast(failures, "OrchestratorOutageGraceSeconds", options.OrchestratorOutageGraceSeconds, 0);
        AtLeast(failures, "MaxPeerFailurePauseSeconds", options.MaxPeerFailurePauseSeconds, 0);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void AtLeast(List<string> failures, string key, int value, int minimum)
    {
        if (value < minimum)
        {
            failures.Add($"Trainer:{key} is {value}; it must be ≥ {minimum}.");
        }
    }
}
