using Cauchy.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Cauchy.EndToEnd.Tests;

/// <summary>A real Prometheus scrapes the services' /metrics while a job trains, and PromQL sees the loss fall.</summary>
[Collection(PlatformCollection.Name)]
public sealed class PrometheusTests(PlatformFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Prometheus_scrapes_the_jobs_training_loss_from_the_trainer_and_the_orchestrator_and_it_falls()
    {
        Platform platform = fixture.Platform;
        ReferenceRun run = await fixture.ReferenceRunAsync();
        string jobId = run.Job.Id;
        PrometheusServer prometheus = platform.Prometheus;
        // The job's log, to read how long its epochs took.
        foreach (Cauchy.V1.LogLine line in await Training.LogLinesAsync(platform, jobId))
        {
            output.WriteLine($"{line.Time.ToDateTime():HH:mm:ss.fff} {line.Text}");
        }

        Dictionary<string, string> targets = await prometheus.TargetHealthAsync();
        Assert.True(targets.GetValueOrDefault("trainer") == "up" && targets.GetValueOrDefault("orchestrator") == "up",
            $"Prometheus's targets: {string.Join(", ", targets.Select(t => $"{t.Key} {t.Value}"))}");

        // The trainer's own series, straight from the training loop; the name as its /metrics exports it.
        var trainer = await prometheus.QueryRangeAsync($"cauchy_trainer_train_loss{{job_id=\"{jobId}\"}}", run.Submitted.AddSeconds(-5), run.Finished.AddSeconds(5), TimeSpan.FromSeconds(1));
        var (labels, points) = Assert.Single(trainer);
        Assert.Equal("trainer", labels["job"]);
        Assert.Equal("small_cnn", labels["model"]);
        Assert.Equal(Platform.DatasetId, labels["dataset"]);
        output.WriteLine($"cauchy_trainer_train_loss: {points.Count} points from {run.Submitted:HH:mm:ss} to {run.Finished:HH:mm:ss}");
        Assert.True(points.Count >= 10, $"the range query gave {points.Count} points for job {jobId}; the job needs to run longer for ten scrapes");
        AssertFalls(points.Select(p => p.Value).ToList(), "cauchy_trainer_train_loss");

        // Ten points are ten scrapes, not one sample repeated by the query's look-back.
        var samples = await prometheus.QueryRangeAsync($"count_over_time(cauchy_trainer_train_loss{{job_id=\"{jobId}\"}}[1h])", run.Finished.AddSeconds(5), run.Finished.AddSeconds(5), TimeSpan.FromSeconds(1));
        Assert.True(Assert.Single(samples).Points.Single().Value >= 10, "Prometheus stored fewer than ten samples of the job's loss");

        // The orchestrator's series, from the trainer's heartbeats.
        var orchestrator = await prometheus.QueryRangeAsync($"cauchy_job_train_loss{{job_id=\"{jobId}\"}}", run.Submitted.AddSeconds(-5), run.Finished.AddSeconds(5), TimeSpan.FromSeconds(1));
        var (jobLabels, jobPoints) = Assert.Single(orchestrator);
        Assert.Equal("orchestrator", jobLabels["job"]);
        Assert.True(jobPoints.Count >= 10, $"the orchestrator's series has {jobPoints.Count} points");
        AssertFalls(jobPoints.Select(p => p.Value).ToList(), "cauchy_job_train_loss");
    }

    private static void AssertFalls(List<double> values, string series)
    {
        int third = values.Count / 3;
        double first = values.Take(third).Average();
        double last = values.Skip(values.Count - third).Average();
        Assert.True(last < first, $"{series}: the mean of the last third ({last:F4}) is not below that of the first third ({first:F4}): {string.Join(", ", values.Select(v => v.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}");
    }
}
