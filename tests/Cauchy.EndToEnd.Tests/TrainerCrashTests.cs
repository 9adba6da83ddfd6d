using Cauchy.V1;
using Xunit;

namespace Cauchy.EndToEnd.Tests;

/// <summary>kill -9 of the trainer in the middle of an epoch; a new trainer process takes the job over.</summary>
[Collection(PlatformCollection.Name)]
public sealed class TrainerCrashTests(PlatformFixture fixture)
{
    [Fact]
    public async Task A_job_whose_trainer_is_killed_mid_epoch_resumes_on_a_new_trainer_and_registers_the_weights_of_an_uninterrupted_run()
    {
        Platform platform = fixture.Platform;
        ReferenceRun reference = await fixture.ReferenceRunAsync();
        string firstWorker = platform.TrainerWorkerId;
        Job job = await Training.SubmitAsync(platform, Training.Hypes(platform, "e2e resumed", "e2e-resumed"));

        // The first checkpoint of the first epoch (step 20 of 63): once the orchestrator knows it, kill the trainer.
        Job checkpointed = await Training.WaitAsync(platform, job.Id,
            j => j.LatestCheckpoint is { Step: > 0 } || j.State is not (JobState.Queued or JobState.Running),
            "a checkpoint in the job's first epoch");
        Assert.Equal(JobState.Running, checkpointed.State);
        Assert.False(checkpointed.LatestCheckpoint.CompletedEpoch, $"the first checkpoint the test saw was an epoch's end ({checkpointed.LatestCheckpoint}), not one mid-epoch");
        Assert.True(File.Exists(new Uri(checkpointed.LatestCheckpoint.Object.Uri).LocalPath), $"the checkpoint object {checkpointed.LatestCheckpoint.Object.Uri} is missing");
        await platform.KillTrainerAsync();

        Job orphaned = await Training.GetAsync(platform, job.Id);
        Assert.Equal(JobState.Running, orphaned.State);
        Assert.Equal(1, orphaned.Attempt);
        Assert.Equal(firstWorker, orphaned.WorkerId);
        Assert.True(orphaned.Progress.Epoch == 1 && orphaned.Progress.Step < Training.StepsPerEpoch, $"the trainer was killed after its first epoch: {Training.Describe(orphaned)}");
        Checkpoint resumeFrom = orphaned.LatestCheckpoint;
        Assert.True(resumeFrom.Step >= checkpointed.LatestCheckpoint.Step);

        // A new trainer process leases the job once the dead worker's lease has run out.
        await platform.StartTrainerAsync();
        Job done = await Training.SucceededAsync(platform, job.Id);
        Assert.Equal(2, done.Attempt);
        Assert.Equal(1, done.FailureCount);
        Assert.Equal(platform.TrainerWorkerId, done.WorkerId);
        Assert.NotEqual(firstWorker, done.WorkerId);

        List<LogLine> log = await Training.LogLinesAsync(platform, job.Id);
        string text = await Training.LogsAsync(platform, job.Id);
        Assert.True(log.Any(l => l.WorkerId == done.WorkerId && l.Text.StartsWith("attempt 2:", StringComparison.Ordinal) && l.Text.EndsWith($"resuming from the checkpoint of step {resumeFrom.Step}", StringComparison.Ordinal)), text);
        Assert.Contains(log, l => l.WorkerId == done.WorkerId && l.Text.StartsWith($"resumed at step {resumeFrom.Step} (epoch 1, ", StringComparison.Ordinal));

        // The job names the registered version by its registry-wide id too.
        ModelVersion registered = (await platform.Models.GetModelVersionAsync(new GetModelVersionRequest { ModelVersion = done.ResultModelVersion }, Platform.Deadline())).ModelVersion;
        Assert.StartsWith("mv-", done.ResultModelVersion.VersionId, StringComparison.Ordinal);
        Assert.Equal((done.ResultModelVersion.ModelName, done.ResultModelVersion.Version, done.ResultModelVersion.VersionId), (registered.ModelName, registered.Version, registered.VersionId));
        Assert.Equal(job.Id, registered.Lineage.JobId);
        Assert.Equal(2, registered.Lineage.Attempt);

        // Same spec and seed, resumed exactly: the same tensors, bit for bit.
        byte[] weights = await Training.DownloadWeightsAsync(platform, done.ResultModelVersion);
        WeightsAssert.Equal(Safetensors.Parse(reference.Weights), Safetensors.Parse(weights));
    }
}
