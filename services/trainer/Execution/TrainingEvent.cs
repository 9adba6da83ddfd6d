namespace Cauchy.Trainer.Execution;

/// <summary>
/// What the training thread hands to the job's asynchronous side, in order: checkpoints to store, evaluations to
/// stream to the metrics service, epochs that ended. The training thread never waits for the network.
/// </summary>
public abstract record TrainingEvent;
