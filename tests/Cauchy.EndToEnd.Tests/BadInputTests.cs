using Cauchy.V1;
using Grpc.Core;
using Xunit;

namespace Cauchy.EndToEnd.Tests;

/// <summary>
/// Mistakes that only the assembled platform can judge, with the real datasets service answering the orchestrator
/// (its own tests use an in-memory or stand-in catalogue): each gets a status that names the problem, and nothing
/// stored changes.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class BadInputTests(PlatformFixture fixture)
{
    [Fact]
    public async Task A_dataset_version_the_datasets_service_does_not_have_is_not_found_and_no_job_is_stored()
    {
        Platform platform = fixture.Platform;
        List<string> jobsBefore = await JobIdsAsync(platform);
        string missing = new('0', 64);

        RpcException refused = await Assert.ThrowsAsync<RpcException>(() => Training.SubmitAsync(platform,
            Training.Hypes(platform, "e2e unknown version", "e2e-unknown", versionId: missing)));

        Assert.Equal(StatusCode.NotFound, refused.StatusCode);
        Assert.Equal($"spec.dataset: version '{missing}' of dataset '{Platform.DatasetId}' does not exist", refused.Status.Detail);
        Assert.Equal(jobsBefore, await JobIdsAsync(platform));
    }

    [Fact]
    public async Task A_batch_larger_than_the_imported_train_split_is_an_invalid_argument_and_no_job_is_stored()
    {
        Platform platform = fixture.Platform;
        List<string> jobsBefore = await JobIdsAsync(platform);

        RpcException refused = await Assert.ThrowsAsync<RpcException>(() => Training.SubmitAsync(platform,
            Training.Hypes(platform, "e2e big batch", "e2e-big-batch", batchSize: Platform.TrainImages + 1)));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal($"spec.hyperparameters.batch_size: is {Platform.TrainImages + 1} but the train split of dataset '{Platform.DatasetId}' has only {Platform.TrainImages} samples",
            refused.Status.Detail);
        Assert.Equal(jobsBefore, await JobIdsAsync(platform));
    }

    [Fact]
    public async Task Images_smaller_than_the_architecture_takes_are_a_failed_precondition_at_submission_and_no_job_is_stored()
    {
        Platform platform = fixture.Platform;
        List<string> jobsBefore = await JobIdsAsync(platform);
        HypesDocument hypes = Training.Hypes(platform, "e2e small images", "e2e-small-images");
        hypes.Text = hypes.Text.Replace("architecture: small_cnn", "architecture: vgg11_bn", StringComparison.Ordinal);

        RpcException refused = await Assert.ThrowsAsync<RpcException>(() => Training.SubmitAsync(platform, hypes));

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.StartsWith($"spec.dataset: the training images of version '{platform.Dataset.VersionId}' of dataset '{Platform.DatasetId}' are 28x28, but vgg11_bn needs an input side of at least 32",
            refused.Status.Detail);
        Assert.Equal(jobsBefore, await JobIdsAsync(platform));
    }

    [Fact]
    public async Task Cancelling_a_finished_job_is_a_failed_precondition_and_leaves_the_job_as_it_was()
    {
        Platform platform = fixture.Platform;
        ReferenceRun run = await fixture.ReferenceRunAsync();
        Job before = await Training.GetAsync(platform, run.Job.Id);
        List<LogLine> logBefore = await Training.LogLinesAsync(platform, run.Job.Id);
        Assert.Equal(JobState.Succeeded, before.State);

        RpcException refused = await Assert.ThrowsAsync<RpcException>(() =>
            platform.Jobs.CancelJobAsync(new CancelJobRequest { JobId = run.Job.Id, Reason = "too late" }, Platform.Deadline()).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("SUCCEEDED", refused.Status.Detail);
        Assert.Contains("cancel", refused.Status.Detail);
        Assert.Equal(before, await Training.GetAsync(platform, run.Job.Id));
        Assert.Equal(logBefore, await Training.LogLinesAsync(platform, run.Job.Id));
    }

    private static async Task<List<string>> JobIdsAsync(Platform platform)
    {
        var ids = new List<string>();
        string token = "";
        do
        {
            ListJobsResponse page = await platform.Jobs.ListJobsAsync(new ListJobsRequest { PageSize = 100, PageToken = token }, Platform.Deadline());
            ids.AddRange(page.Jobs.Select(j => j.Id));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        ids.Sort(StringComparer.Ordinal);
        return ids;
    }
}
