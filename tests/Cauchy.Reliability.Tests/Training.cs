using System.Globalization;
using System.Security.Cryptography;
using Cauchy.V1;
using Grpc.Core;

namespace Cauchy.Reliability.Tests;

/// <summary>The jobs the scenarios train (the zoo's small CNN on the imported images, small batches, frequent checkpoints) and the calls they make about them.</summary>
public static class Training
{
    public const int BatchSize = 16;

    public static HypesDocument Hypes(ReliabilityPlatform platform, string displayName, string outputModel, int epochs, long? maxSteps = null, int checkpointEverySteps = 5, string? labels = null, int maxRetries = 3) => new()
    {
        Format = HypesFormat.Yaml,
        Text = string.Create(CultureInfo.InvariantCulture, $"""
            display_name: {displayName}
            task_type: classification
            model: {"{"} architecture: small_cnn {"}"}
            dataset: {"{"} dataset_id: {ReliabilityPlatform.DatasetId}, version_id: "{platform.Dataset.VersionId}" {"}"}
            hyperparameters:
              epochs: {epochs}
              batch_size: {BatchSize}
              seed: 7{(maxSteps is { } steps ? $"\n  max_steps: {steps}" : "")}
              optimizer: {"{"} kind: sgd, learning_rate: 0.01, momentum: 0.9 {"}"}
            checkpoint_every_steps: {checkpointEverySteps}
            output_model_name: {outputModel}
            max_retries: {maxRetries}
            labels: {"{"} suite: reliability{labels} {"}"}
            """),
    };

    public static async Task<Job> SubmitAsync(ReliabilityPlatform platform, HypesDocument hypes, string idempotencyKey = "") =>
        (await platform.Jobs.SubmitJobAsync(new SubmitJobRequest { Hypes = hypes, IdempotencyKey = idempotencyKey }, ReliabilityPlatform.Deadline())).Job;

    public static async Task<Job> GetAsync(ReliabilityPlatform platform, string jobId) =>
        (await platform.Jobs.GetJobAsync(new GetJobRequest { JobId = jobId }, ReliabilityPlatform.Deadline(30))).Job;

    public static Task<Job> WaitAsync(ReliabilityPlatform platform, string jobId, Func<Job, bool> done, string what, TimeSpan? timeout = null) =>
        Eventually.ForAsync(() => GetAsync(platform, jobId), done, timeout ?? TimeSpan.FromMinutes(4),
            job => $"{what}; the job is now {Describe(job)}\n{platform.Logs()}");

    public static bool IsTerminal(Job job) => job.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    /// <summary>Waits for a terminal state and requires SUCCEEDED.</summary>
    public static async Task<Job> SucceededAsync(ReliabilityPlatform platform, string jobId, TimeSpan? timeout = null)
    {
        Job job = await WaitAsync(platform, jobId, IsTerminal, $"job {jobId} to end", timeout);
        if (job.State != JobState.Succeeded)
        {
            throw new Xunit.Sdk.XunitException($"job {jobId} ended {Describe(job)}\n{await LogsAsync(platform, jobId)}\n{platform.Logs()}");
        }

        return job;
    }

    /// <summary>The job's log from the first line (not followed).</summary>
    public static async Task<List<LogLine>> LogLinesAsync(ReliabilityPlatform platform, string jobId)
    {
        using var call = platform.Jobs.StreamLogs(new StreamLogsRequest { JobId = jobId }, ReliabilityPlatform.Deadline());
        var lines = new List<LogLine>();
        await foreach (StreamLogsResponse response in call.ResponseStream.ReadAllAsync())
        {
            lines.AddRange(response.Lines);
        }

        return lines;
    }

    public static async Task<string> LogsAsync(ReliabilityPlatform platform, string jobId) =>
        "--- job log ---\n" + string.Join("\n", (await LogLinesAsync(platform, jobId)).Select(l => $"{l.Sequence} [{l.WorkerId}] {l.Text}"));

    /// <summary>A version's weights from the registry, checked against the size and SHA-256 the first message announces.</summary>
    public static async Task<byte[]> DownloadWeightsAsync(ReliabilityPlatform platform, ModelVersionRef version)
    {
        using var call = platform.Models.DownloadArtifact(new DownloadArtifactRequest { ModelVersion = version, Kind = ArtifactKind.Weights }, ReliabilityPlatform.Deadline());
        ObjectRef? artifact = null;
        using var bytes = new MemoryStream();
        await foreach (DownloadArtifactResponse response in call.ResponseStream.ReadAllAsync())
        {
            if (response.PayloadCase == DownloadArtifactResponse.PayloadOneofCase.Artifact)
            {
                artifact = response.Artifact;
            }
            else
            {
                response.Chunk.WriteTo(bytes);
            }
        }

        byte[] weights = bytes.ToArray();
        if (artifact is null || artifact.SizeBytes != weights.Length || !string.Equals(artifact.Sha256, Convert.ToHexStringLower(SHA256.HashData(weights)), StringComparison.OrdinalIgnoreCase))
        {
            throw new Xunit.Sdk.XunitException($"the weights of {version} did not arrive as announced ({artifact}; got {weights.Length} bytes)");
        }

        return weights;
    }

    public static string Describe(Job? job) => job is null ? "(not read yet)" : string.Create(CultureInfo.InvariantCulture,
        $"{job.State} (attempt {job.Attempt}, failures {job.FailureCount}, worker '{job.WorkerId}', phase {job.Progress?.Phase}, epoch {job.Progress?.Epoch}/{job.Progress?.TotalEpochs}, step {job.Progress?.Step}/{job.Progress?.TotalSteps}, checkpoint step {job.LatestCheckpoint?.Step}, error '{job.ErrorMessage}')");
}
