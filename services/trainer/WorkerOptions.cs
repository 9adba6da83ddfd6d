namespace Cauchy.Trainer;

/// <summary>The worker's settings (section "Trainer"; environment CAUCHY_TRAINER__&lt;KEY&gt;).</summary>
public sealed record WorkerOptions
{
    public const string SectionName = "Trainer";

    /// <summary>The id the worker leases jobs under; empty means "&lt;host name&gt;-&lt;process id&gt;" (in Kubernetes, the pod name).</summary>
    public string WorkerId { get; init; } = "";

    /// <summary>"auto" (CUDA when libtorch sees a GPU, else the CPU), "cpu" or "cuda".</summary>
    public string Device { get; init; } = "auto";

    /// <summary>False: serve the Trainer API but lease nothing (e.g. a debugging replica).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>How long one LeaseJob call waits for a job (the orchestrator caps it at its own maximum).</summary>
    public int LeaseWaitSeconds { get; init; } = 10;

    /// <summary>libtorch intra-op threads; 0 keeps libtorch's default (one per core).</summary>
    public int Threads { get; init; }

    /// <summary>Threads that decode and augment batches beside the training thread.</summary>
    public int LoaderWorkers { get; init; } = 1;

    /// <summary>A train/loss point (and a progress report) every this many optimizer steps.</summary>
    public int ProgressEverySteps { get; init; } = 10;

    /// <summary>Local scratch for checkpoints and weights; empty means &lt;Data:Root&gt;/trainer, else a folder under the temp directory.</summary>
    public string WorkDir { get; init; } = "";

    /// <summary>Samples per message when streaming predictions to the metrics service.</summary>
    public int EvaluationBatch { get; init; } = 256;

    public void Validate()
    {
        if (Device is not ("auto" or "cpu" or "cuda"))
        {
            throw new ArgumentException($"Trainer:Device is '{Device}'; it must be auto, cpu or cuda");
        }

        if (LeaseWaitSeconds is < 0 or > 300 || Threads < 0 || LoaderWorkers < 1 || ProgressEverySteps < 1 || EvaluationBatch < 1)
        {
            throw new ArgumentException(
                "Trainer settings out of range: LeaseWaitSeconds 0-300, Threads ≥ 0, LoaderWorkers ≥ 1, ProgressEverySteps ≥ 1, EvaluationBatch ≥ 1");
        }
    }
}
