namespace Cauchy.Trainer;

/// <summary>The worker's settings (section "Trainer"; environment CAUCHY_TRAINER__&lt;KEY&gt;), checked at start-up by <see cref="WorkerOptionsValidator"/>.</summary>
public sealed class WorkerOptions
{
    public const string SectionName = "Trainer";

    /// <summary>The id the worker leases jobs under; empty means "&lt;host name&gt;-&lt;process id&gt;" (in Kubernetes, the pod name).</summary>
    public string WorkerId { get; set; } = "";

    /// <summary>"auto" (CUDA when libtorch sees a GPU, else the CPU), "cpu" or "cuda".</summary>
    public string Device { get; set; } = "auto";

    /// <summary>False: serve the Trainer API but lease nothing (e.g. a debugging replica).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long one LeaseJob call waits for a job (the orchestrator caps it at its own maximum).</summary>
    public int LeaseWaitSeconds { get; set; } = 10;

    /// <summary>libtorch intra-op threads; 0 keeps libtorch's default (one per core).</summary>
    public int Threads { get; set; }

    /// <summary>Threads that decode and augment batches beside the training thread.</summary>
    public int LoaderWorkers { get; set; } = 1;

    /// <summary>A train/loss point (and a progress report) every this many optimizer steps.</summary>
    public int ProgressEverySteps { get; set; } = 10;

    /// <summary>Local scratch for checkpoints and weights; empty means &lt;Data:Root&gt;/trainer, else a folder under the temp directory.</summary>
    public string WorkDir { get; set; } = "";

    /// <summary>
    /// How long past its lease's expiry the worker keeps a job while no heartbeat reaches the orchestrator. The
    /// orchestrator extends leases by the time it was down, so after an outage the job carries on where it was; a lease
    /// the orchestrator did end is refused at the next heartbeat that gets through, and the work is discarded then.
    /// </summary>
    public int OrchestratorOutageGraceSeconds { get; set; } = 600;

    /// <summary>
    /// The longest pause before an attempt that failed on a peer's transient error (UNAVAILABLE, DEADLINE_EXCEEDED …)
    /// is reported; the pause doubles with the job's failures from 1 s, so a restarting peer does not use up the retries.
    /// </summary>
    public int MaxPeerFailurePauseSeconds { get; set; } = 60;

    /// <summary>Samples per message when streaming predictions to the metrics service.</summary>
    public int EvaluationBatch { get; set; } = 256;
}
