using Cauchy.V1;
using Xunit;

namespace Cauchy.Reliability.Tests;

/// <summary>The orchestrator's PostgreSQL server stopped (as a crash stops it) and started again while a job trains.</summary>
[Collection(ReliabilityCollection.Name)]
public sealed class DatabaseRestartTests(ReliabilityFixture fixture)
{
    [Fact]
    public async Task A_job_completes_through_a_restart_of_the_orchestrators_database()
    {
        ReliabilityPlatform platform = fixture.Platform;
        Job submitted = await Training.SubmitAsync(platform, Training.Hypes(platform, "database restart", "reliability-database", epochs: 1, maxSteps: 30));
        await Training.WaitAsync(platform, submitted.Id,
            j => j.State != JobState.Queued && (j.State != JobState.Running || j.Progress is { Phase: JobPhase.Training, Step: >= 4 }),
            "the job to train a few steps");

        await platform.Postgres.StopAsync();
        // The outage itself, shorter than a lease: heartbeats fail meanwhile and are retried.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await platform.Postgres.StartAgainAsync();

        Job done = await Training.SucceededAsync(platform, submitted.Id);
        Assert.Equal(1, done.Attempt);
        Assert.Equal(0, done.FailureCount);
        List<LogLine> log = await Training.LogLinesAsync(platform, submitted.Id);
        Assert.Equal(Enumerable.Range(1, log.Count).Select(i => (long)i), log.Select(l => l.Sequence));
    }
}
