using System.Globalization;
using System.Security.Cryptography;
using Cauchy.V1;
using Grpc.Core;

namespace Cauchy.EndToEnd.Tests;

/// <summary>
/// The job the tests train: the zoo's small CNN on the imported Fashion-MNIST images, a fixed seed, small batches,
/// a checkpoint every few steps; and the calls the tests make about jobs and their weights.
/// </summary>
public static class Training
{
    public const int BatchSize = 32;
    public const int CheckpointEverySteps = 25;
    public const long Seed = 20261207;

    /// <summary>Optimizer steps in one epoch (the last batch is kept, smaller).</summary>
    public const int StepsPerEpoch = (Platform.TrainImages + BatchSize - 1) / BatchSize;

    /// <summary>Long enough for Prometheus to scrape the loss ten times and more on a fast machine, and no longer.</summary>
    public const int Epochs = 3;

    public static HypesDocument Hypes(Platform platform, string displayName, string outputModel, int epochs = Epochs, int batchSize = BatchSize, string? versionId = null, long? maxSteps = null) => new()
    {
        Format = HypesFormat.Yaml,
        Text = string.Create(CultureInfo.InvariantCulture, $"""
            display_name: {displayName}
            task_type: classification
            model: {"{"} architecture: small_cnn {"}"}
            dataset: {"{"} dataset_id: {Platform.DatasetId}, version_id: "{versionId ?? platform.Dataset.VersionId}" {"}"}
            hyperparameters:
              epochs: {epochs}
              batch_size: {batchSize}
              seed: {Seed}{(maxSteps is { } steps ? $"\n  max_steps: {steps}" : "")}
              optimizer: {"{"} kind: sgd, learning_rate: 0.01, momentum: 0.9 {"}"}
            checkpoint_every_steps: {CheckpointEverySteps}
            output_model_name: {outputModel}
            labels: {"{"} suite: e2e {"}"}
            """),
    };

    public static async Task<Job> SubmitAsync(Platform platform, HypesDocument hypes) =>
        (await platform.Jobs.SubmitJobAsync(new SubmitJobRequest { Hypes = hypes }, Platform.Deadline())).Job;

    public static async Task<Job> GetAsync(Platform platform, string jobId) =>
        (await platform.Jobs.GetJobAsync(new GetJobRequest { JobId = jobId }, Platform.Deadline(30))).Job;

    /// <summary>Polls GetJob until <paramref name="done"/> holds; the timeout message shows the job and the services' logs.</summary>
    public static Task<Job> WaitAsync(Platform platform, string jobId, Func<Job, bool> done, string what, TimeSpan? timeout = null) =>
        Wait.ForAsync(() => GetAsync(platform, jobId), done, timeout ?? TimeSpan.FromMinutes(5),
            job => $"{what}; the job is now {Describe(job)}\n{platform.Logs()}");

    /// <summary>Waits for a terminal state and requires SUCCEEDED.</summary>
    public static async Task<Job> SucceededAsync(Platform platform, string jobId)
    {
        Job job = await WaitAsync(platform, jobId, j => j.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled, $"job {jobId} to end");
        if (job.State != JobState.Succeeded)
        {
            throw new Xunit.Sdk.XunitException($"job {jobId} ended {Describe(job)}\n{await LogsAsync(platform, jobId)}\n{platform.Logs()}");
        }

        return job;
    }

    /// <summary>The job's log (orchestrator and worker lines) from the first line.</summary>
    public static async Task<List<LogLine>> LogLinesAsync(Platform platform, string jobId)
    {
        using var call = platform.Jobs.StreamLogs(new StreamLogsRequest { JobId = jobId }, Platform.Deadline());
        var lines = new List<LogLine>();
        await foreach (StreamLogsResponse response in call.ResponseStream.ReadAllAsync())
        {
            lines.AddRange(response.Lines);
        }

        return lines;
    }

    public static async Task<string> LogsAsync(Platform platform, string jobId) =>
        "--- job log ---\n" + string.Join("\n", (await LogLinesAsync(platform, jobId)).Select(l => $"{l.Sequence} [{l.WorkerId}] {l.Text}"));

    /// <summary>A version's weights from the registry, checked against the size and SHA-256 the first message announces.</summary>
    public static async Task<byte[]> DownloadWeightsAsync(Platform platform, ModelVersionRef version)
    {
        using var call = platform.Models.DownloadArtifact(new DownloadArtifactRequest { ModelVersion = version, Kind = ArtifactKind.Weights }, Platform.Deadline());
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
