using Microsoft.Extensions.Options;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>Rejects <see cref="JobsOptions"/> that would make leases unusable, naming the keys at fault.</summary>
public sealed class JobsOptionsValidator : IValidateOptions<JobsOptions>
{
    public ValidateOptionsResult Validate(string? name, JobsOptions options)
    {
        var failures = new List<string>();
        if (options.LeaseSeconds <= 0 || options.HeartbeatIntervalSeconds <= 0 || options.HeartbeatIntervalSeconds >= options.LeaseSeconds)
        {
            failures.Add(
                $"Jobs:HeartbeatIntervalSeconds ({options.HeartbeatIntervalSeconds}) must be > 0 and below Jobs:LeaseSeconds ({options.LeaseSeconds}).");
        }

        if (options.ReaperIntervalSeconds <= 0 || options.PollSeconds <= 0 || options.MaxLeaseWaitSeconds < 0 || options.IdempotencyKeyHours <= 0 || options.GaugeCacheSeconds < 0)
        {
            failures.Add("Jobs:ReaperIntervalSeconds, PollSeconds and IdempotencyKeyHours must be > 0; MaxLeaseWaitSeconds and GaugeCacheSeconds must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
