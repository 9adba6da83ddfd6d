using Cauchy.V1;
using Xunit;

namespace Cauchy.EndToEnd.Tests;

/// <summary>
/// What a job files under which split's name when the dataset version has no validation split (the tests' version
/// has train and test only), and a job that <c>max_steps</c> ends inside its first epoch.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class SplitsAndShortJobsTests(PlatformFixture fixture)
{
    [Fact]
    public async Task Without_a_validation_split_each_epoch_is_filed_as_test_and_the_final_weights_are_evaluated_once()
    {
        Platform platform = fixture.Platform;
        Job job = (await fixture.ReferenceRunAsync()).Job;

        List<Evaluation> evaluations = await EvaluationsAsync(platform, job.Id);
        Assert.All(evaluations, e => Assert.Equal(Split.Test, e.Split));
        Assert.Equal(Enumerable.Range(1, Training.Epochs), evaluations.Select(e => e.Epoch).Order());
        Evaluation final = Assert.Single(evaluations, e => e.ModelVersion is not null && e.ModelVersion.VersionId.Length > 0);
        Assert.Equal(job.ResultModelVersion.VersionId, final.ModelVersion.VersionId);
        Assert.Equal(Training.Epochs, final.Epoch);

        GetJobMetricsResponse metrics = await platform.Jobs.GetJobMetricsAsync(new GetJobMetricsRequest { JobId = job.Id }, Platform.Deadline(30));
        Assert.DoesNotContain(metrics.Series, s => s.Name.StartsWith("validation/", StringComparison.Ordinal));
        MetricSeries accuracy = Assert.Single(metrics.Series, s => s.Name == "test/accuracy");
        Assert.Equal(Enumerable.Range(1, Training.Epochs), accuracy.Points.Select(p => p.Epoch).Distinct().Order());
        Assert.Equal(final.Summary["accuracy"], accuracy.Points.Where(p => p.Epoch == Training.Epochs).Select(p => p.Value).Distinct().Single(), 6);
        Assert.Equal(final.Summary["accuracy"], job.LastMetrics.Single(m => m.Name == "test/accuracy").Value, 6);

        ModelVersion version = (await platform.Models.GetModelVersionAsync(new GetModelVersionRequest { ModelVersion = job.ResultModelVersion }, Platform.Deadline(30))).ModelVersion;
        Assert.Contains(version.Metrics, m => m.Name == "train/accuracy");
        Assert.DoesNotContain(version.Metrics, m => m.Name.StartsWith("validation/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_job_with_max_steps_stops_after_that_step_in_its_first_epoch_and_still_registers_and_tests_its_weights()
    {
        Platform platform = fixture.Platform;
        const int maxSteps = 40;
        Assert.True(maxSteps < Training.StepsPerEpoch, "the limit must fall inside the first epoch");

        Job submitted = await Training.SubmitAsync(platform, Training.Hypes(platform, "e2e short", "e2e-short", epochs: 2, maxSteps: maxSteps));
        Assert.Equal(maxSteps, submitted.Spec.Hyperparameters.MaxSteps);
        Job job = await Training.SucceededAsync(platform, submitted.Id);

        Assert.Equal(maxSteps, job.Progress.TotalSteps);
        Assert.Equal(1, job.Progress.TotalEpochs);
        Safetensors weights = Safetensors.Parse(await Training.DownloadWeightsAsync(platform, job.ResultModelVersion));
        Assert.Equal(maxSteps.ToString(System.Globalization.CultureInfo.InvariantCulture), weights.Metadata["step"]);

        ModelVersion version = (await platform.Models.GetModelVersionAsync(new GetModelVersionRequest { ModelVersion = job.ResultModelVersion }, Platform.Deadline(30))).ModelVersion;
        Assert.All(version.Metrics, m => Assert.Equal(maxSteps, m.Step));
        Assert.Contains(version.Metrics, m => m.Name == "train/loss");

        Evaluation test = Assert.Single(await EvaluationsAsync(platform, job.Id));
        Assert.Equal(Split.Test, test.Split);
        Assert.Equal(job.ResultModelVersion.VersionId, test.ModelVersion.VersionId);
        Assert.Equal(Platform.TestImages, test.SampleCount);
        Assert.Contains(job.LastMetrics, m => m.Name == "test/accuracy");

        GetJobMetricsResponse metrics = await platform.Jobs.GetJobMetricsAsync(new GetJobMetricsRequest { JobId = job.Id, Names = { "train/loss" } }, Platform.Deadline(30));
        Assert.Equal(maxSteps, Assert.Single(metrics.Series).Points.Max(p => p.Step));
    }

    private static async Task<List<Evaluation>> EvaluationsAsync(Platform platform, string jobId) =>
        [.. (await platform.MetricsClient.ListEvaluationsAsync(new ListEvaluationsRequest { JobId = jobId, PageSize = 100 }, Platform.Deadline(30))).Evaluations];
}
