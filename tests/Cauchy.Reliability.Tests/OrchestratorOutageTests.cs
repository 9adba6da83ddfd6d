using Cauchy.V1;
using Xunit;

namespace Cauchy.Reliability.Tests;

/// <summary>
/// The orchestrator down for longer than a lease while a job trains: time the orchestrator itself was down does not
/// count against the lease, so the job carries on where it is instead of being restarted from a checkpoint.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class OrchestratorOutageTests(ReliabilityFixture fixture)
{
    [Fact]
    public async Task A_job_keeps_its_lease_and_worker_through_an_orchestrator_outage_longer_than_the_lease()
    {
        ReliabilityPlatform platform = fixture.Platform;
        Job submitted = await Training.SubmitAsync(platform, Training.Hypes(platform, "orchestrator outage", "reliability-outage", epochs: 50));
        Job before = await Training.WaitAsync(platform, submitted.Id,
            j => j.State != JobState.Queued && (j.State != JobState.Running || j.Progress is { Phase: JobPhase.Training, Step: >= 4 }),
            "the job to train a few steps");
        Assert.Equal(JobState.Running, before.State);

        await platform.KillAsync("orchestrator");
        // The outage itself: the lease granted before it runs out well within it.
        await Task.Delay(ReliabilityPlatform.Lease + TimeSpan.FromSeconds(8));
        await platform.StartServiceAsync("orchestrator");
        DateTime restarted = DateTime.UtcNow;

        // A whole lease after the restart the job still trains on its first attempt, further on than before.
        Job after = await Training.WaitAsync(platform, submitted.Id,
            j => j.State != JobState.Running || (DateTime.UtcNow - restarted > ReliabilityPlatform.Lease + TimeSpan.FromSeconds(2) && j.Progress.Step > before.Progress.Step),
            "the job to train on through a whole lease after the restart");
        string log = await Training.LogsAsync(platform, submitted.Id);
        Assert.True(after.State == JobState.Running, $"the job is {Training.Describe(after)}\n{log}\n{platform.Logs()}");
        Assert.Equal(1, after.Attempt);
        Assert.Equal(0, after.FailureCount);
        Assert.Equal(before.WorkerId, after.WorkerId);
        Assert.DoesNotContain("lease expired", log, StringComparison.Ordinal);
        Assert.DoesNotContain("resuming", log, StringComparison.Ordinal);

        await platform.Jobs.CancelJobAsync(new CancelJobRequest { JobId = submitted.Id, Reason = "scenario over" }, ReliabilityPlatform.Deadline());
        Job cancelled = await Training.WaitAsync(platform, submitted.Id, Training.IsTerminal, "the cancelled job to stop");
        Assert.Equal(JobState.Cancelled, cancelled.State);
    }
}
