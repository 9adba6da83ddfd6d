using Cauchy.V1;
using Xunit;

namespace Cauchy.Reliability.Tests;

/// <summary>
/// The S3 server stopped and started again while a job writes checkpoints and while a dataset's shards go up: the
/// writers retry, nothing fails, and no partial object is visible in the bucket.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ObjectStoreOutageTests(ReliabilityFixture fixture)
{
    [Fact]
    public async Task Checkpoints_and_an_import_go_through_an_S3_restart_and_leave_no_partial_object()
    {
        ReliabilityPlatform platform = fixture.Platform;
        Job submitted = await Training.SubmitAsync(platform, Training.Hypes(platform, "object store outage", "reliability-s3", epochs: 1, maxSteps: 30, checkpointEverySteps: 2));
        await Training.WaitAsync(platform, submitted.Id,
            j => j.State != JobState.Queued && (j.State != JobState.Running || j.Progress is { Phase: JobPhase.Training, Step: >= 4 }),
            "the job to train a few steps");

        await platform.S3.StopAsync();
        // An import whose shards go up while the server is down: its writes are retried until it is back.
        Task<DatasetVersion> import = platform.ImportAsync("reliability-s3-import", 1000, 200);
        await Task.Delay(TimeSpan.FromSeconds(4));
        await platform.S3.StartAsync();

        DatasetVersion version = await import;
        Assert.Equal(1200, version.SampleCount);
        Job done = await Training.SucceededAsync(platform, submitted.Id);
        Assert.Equal(0, done.FailureCount);
        Assert.Equal(1, done.Attempt);
        await Training.DownloadWeightsAsync(platform, done.ResultModelVersion);

        var (problems, objects) = await ObjectAudit.CheckAsync(platform.S3);
        Assert.True(problems.Count == 0, $"{problems.Count} of {objects} objects are not whole: {string.Join("; ", problems)}");
    }
}
