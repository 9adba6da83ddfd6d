namespace Cauchy.Trainer.Execution;

/// <summary>
/// The attempt failed for a reason users should read (the message becomes the job's error). Retryable failures
/// (a dependency that was unavailable, CUDA out of memory on a busy GPU) put the job back in the queue while retries
/// remain; a bad spec or bad data does not.
/// </summary>
public sealed class JobFailedException(string message, bool retryable, Exception? inner = null) : Exception(message, inner)
{
    public bool Retryable { get; } = retryable;
}
