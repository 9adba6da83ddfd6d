using Cauchy.V1;
using Xunit;

namespace Cauchy.Reliability.Tests;

/// <summary>
/// kill -9 of each service in turn under a steady mixed load, each started again where it was; afterwards nothing
/// acknowledged is lost or doubled: jobs, their log lines and metric points, imported versions, evaluations, and the
/// registered weights, and no partial object is visible in the bucket.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ServiceKillTests(ReliabilityFixture fixture)
{
    [Fact]
    public async Task Killing_each_service_in_turn_under_load_loses_and_doubles_nothing()
    {
        ReliabilityPlatform platform = fixture.Platform;
        await using var load = new MixedLoad(platform, "kill");
        load.Start();
        await Eventually.ForAsync(() => Task.FromResult(load.AcceptedJobs.Count), n => n >= 2, TimeSpan.FromMinutes(2), _ => $"the load to get going: {load.Describe()}");

        foreach (string service in ReliabilityPlatform.ServiceNames)
        {
            await platform.KillAsync(service);
            // The outage itself: the load keeps calling while the service is gone.
            await Task.Delay(TimeSpan.FromSeconds(2));
            await platform.StartServiceAsync(service);
            int accepted = load.AcceptedJobs.Count;
            await Eventually.ForAsync(() => Task.FromResult(load.AcceptedJobs.Count), n => n > accepted, TimeSpan.FromMinutes(2),
                _ => $"a submission to be acknowledged after {service} restarted: {load.Describe()}\n{platform.Logs()}");
        }

        await load.StopAsync();
        string loadSummary = load.Describe();
        Assert.True(load.Violations.IsEmpty, $"log streams saw gaps or repeats: {string.Join("; ", load.Violations)}");

        // Every acknowledged submission is exactly one job, and there is no other.
        List<Job> jobs = await LoadJobsAsync(platform, load.Label);
        var byKey = jobs.GroupBy(j => j.Spec.Labels["key"]).ToDictionary(g => g.Key, g => g.ToList());
        Assert.All(byKey, g => Assert.True(g.Value.Count == 1, $"key {g.Key} has {g.Value.Count} jobs"));
        foreach (var (key, jobId) in load.AcceptedJobs)
        {
            string n = key[(key.LastIndexOf('-') + 1)..];
            Assert.True(byKey.TryGetValue(n, out var found) && found[0].Id == jobId, $"the job {jobId} acknowledged for key {key} is missing; {loadSummary}");
        }

        // Every job ends, and none fails: a job that lost its worker or a peer mid-attempt is retried and resumes.
        var ended = new List<Job>();
        foreach (Job job in jobs)
        {
            Job done = await Training.WaitAsync(platform, job.Id, Training.IsTerminal, $"load job {job.Id} to end", TimeSpan.FromMinutes(5));
            Assert.True(done.State == JobState.Succeeded, $"{Training.Describe(done)}\n{await Training.LogsAsync(platform, job.Id)}");
            ended.Add(done);
        }

        foreach (Job job in ended)
        {
            // Log lines: numbered 1..n without a gap or a repeat.
            List<LogLine> log = await Training.LogLinesAsync(platform, job.Id);
            Assert.Equal(Enumerable.Range(1, log.Count).Select(i => (long)i), log.Select(l => l.Sequence));

            // Metric points: one per name and step.
            var metrics = await platform.Jobs.GetJobMetricsAsync(new GetJobMetricsRequest { JobId = job.Id }, ReliabilityPlatform.Deadline());
            Assert.NotEmpty(metrics.Series);
            Assert.All(metrics.Series, series => Assert.Equal(series.Points.Count, series.Points.Select(p => p.Step).Distinct().Count()));

            // The registered weights download whole and match their digest.
            await Training.DownloadWeightsAsync(platform, job.ResultModelVersion);
        }

        // Every acknowledged import is readable, with its manifest.
        foreach (var (datasetId, versionId) in load.ImportedVersions)
        {
            var version = await platform.DatasetsClient.GetDatasetVersionAsync(new GetDatasetVersionRequest { DatasetId = datasetId, VersionId = versionId }, ReliabilityPlatform.Deadline());
            Assert.Equal(80, version.Version.SampleCount);
            var manifest = await platform.DatasetsClient.GetShardManifestAsync(new GetShardManifestRequest { DatasetId = datasetId, VersionId = versionId }, ReliabilityPlatform.Deadline());
            Assert.NotEmpty(manifest.Manifest.Splits);
        }

        // Every acknowledged evaluation is stored once.
        foreach (var (jobId, evaluationId) in load.Evaluations)
        {
            var listed = await platform.MetricsClient.ListEvaluationsAsync(new ListEvaluationsRequest { JobId = jobId }, ReliabilityPlatform.Deadline());
            Assert.Equal(evaluationId, Assert.Single(listed.Evaluations).Id);
        }

        // No partial object in the bucket.
        var (problems, objects) = await ObjectAudit.CheckAsync(platform.S3);
        Assert.True(problems.Count == 0, $"{problems.Count} of {objects} objects are not whole: {string.Join("; ", problems)}");
        Assert.True(load.AcceptedJobs.Count >= ReliabilityPlatform.ServiceNames.Length && load.ImportedVersions.Count > 0 && load.Evaluations.Count > 0, loadSummary);
    }

    private static async Task<List<Job>> LoadJobsAsync(ReliabilityPlatform platform, string label)
    {
        var jobs = new List<Job>();
        string token = "";
        do
        {
            var request = new ListJobsRequest { PageSize = 100, PageToken = token };
            request.LabelSelector["load"] = label;
            ListJobsResponse page = await platform.Jobs.ListJobsAsync(request, ReliabilityPlatform.Deadline());
            jobs.AddRange(page.Jobs);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return jobs;
    }
}
