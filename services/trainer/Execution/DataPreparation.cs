using Cauchy.Trainer.Inputs;
using Cauchy.Trainer.Tasks;
using Cauchy.V1;
using Grpc.Core;

namespace Cauchy.Trainer.Execution;

/// <summary>
/// The pipeline's first step: pick the task component, read the splits from the datasets service, decide the input
/// format and augmentation, plan the steps, and fetch the checkpoint to resume from or the pretrained weights.
/// Which split is evaluated when: validation each epoch when the version has one, else the test split (its numbers
/// filed as <c>test/*</c>); the registered version is tested on the test split, else on validation.
/// </summary>
public sealed class DataPreparation(Datasets.DatasetsClient datasets, Models.ModelsClient models, CheckpointStore checkpoints, TrainingTasks tasks)
{
    public async Task<PreparedData> PrepareAsync(JobAttempt attempt, CancellationToken ct)
    {
        JobSpec spec = attempt.Spec;
        attempt.Report(JobPhase.Preparing);
        ITrainingTask task = tasks.For(spec.TaskType);
        DatasetVersion version = (await datasets.GetDatasetVersionAsync(
            new GetDatasetVersionRequest { DatasetId = spec.Dataset.DatasetId, VersionId = spec.Dataset.VersionId }, cancellationToken: ct)).Version;
        if (version.TaskType != spec.TaskType)
        {
            throw new JobFailedException(
                $"spec.task_type is {TrainingTasks.NameOf(spec.TaskType)}, but dataset version {version.DatasetId}/{version.VersionId} is labelled for {TrainingTasks.NameOf(version.TaskType)}",
                retryable: false);
        }

        string[] classNames = [.. version.ClassNames];
        ShardManifest manifest = (await datasets.GetShardManifestAsync(
            new GetShardManifestRequest { DatasetId = version.DatasetId, VersionId = version.VersionId }, cancellationToken: ct)).Manifest;
        long Count(Split s) => version.SplitCounts.FirstOrDefault(c => c.Split == s)?.SampleCount ?? 0;
        SplitData train = await SplitData.LoadAsync(datasets, manifest, Split.Train, ct);
        InputFormat format = InputFormat.Decide(train.Samples, spec.Model.Options);
        Split evaluationName = Count(Split.Validation) > 0 ? Split.Validation : Split.Test;
        SplitData? evaluation = Count(evaluationName) > 0 ? await SplitData.LoadAsync(datasets, manifest, evaluationName, ct) : null;
        Split testName = Count(Split.Test) > 0 ? Split.Test : Split.Validation;
        SplitData? test = testName == evaluation?.Split ? evaluation : Count(testName) > 0 ? await SplitData.LoadAsync(datasets, manifest, testName, ct) : null;
        string each = evaluation is null ? "nothing (no validation or test split)"
            : evaluation.Split == Split.Validation ? $"{evaluation.Samples.Count} validation images"
            : $"{evaluation.Samples.Count} test images (no validation split; filed as test/*, the last epoch's is the test evaluation)";
        attempt.Log($"data: {train.Samples.Count} training images of {format.Height}x{format.Width}x{format.Channels}, {classNames.Length} classes; evaluating on {each} each epoch");

        (float[]? mean, float[]? std) = (null, null);
        if (spec.Hyperparameters.Augmentation?.Normalize == true)
        {
            DatasetStatistics stats = (await datasets.GetDatasetStatisticsAsync(
                new GetDatasetStatisticsRequest { DatasetId = version.DatasetId, VersionId = version.VersionId }, cancellationToken: ct)).Statistics;
            SplitStatistics? trainStats = stats.Splits.FirstOrDefault(s => s.Split == Split.Train);
            if (trainStats is null || trainStats.PixelMean.Count == 0)
            {
                throw new JobFailedException("spec.hyperparameters.augmentation.normalize needs the train split's pixel statistics, which the dataset version lacks", retryable: false);
            }

            mean = PerChannel(trainStats.PixelMean, format.Channels);
            std = PerChannel(trainStats.PixelStd, format.Channels);
        }

        var augmentation = SpecTranslation.Augmentation(spec.Hyperparameters.Augmentation, mean, std);
        SpecTranslation.CheckSupported(spec.Hyperparameters);
        int batchSize = spec.Hyperparameters.BatchSize;
        var plan = TrainingPlan.For(spec.Hyperparameters, (train.Samples.Count + batchSize - 1) / batchSize);
        if (plan.EndsEarly(spec.Hyperparameters))
        {
            attempt.Log($"max_steps: training stops after step {plan.TotalSteps}, in epoch {plan.Epochs} of {spec.Hyperparameters.Epochs}");
        }

        string? resumePath = null, pretrainedPath = null;
        if (attempt.Lease.ResumeFrom is { Object: { } checkpoint })
        {
            resumePath = Path.Combine(attempt.WorkDir, "resume.safetensors");
            await checkpoints.DownloadAsync(checkpoint, resumePath, ct);
        }
        else if (spec.Model.Pretrained is { } pretrained && (pretrained.ModelName.Length > 0 || pretrained.VersionId.Length > 0))
        {
            pretrainedPath = Path.Combine(attempt.WorkDir, "pretrained.safetensors");
            await DownloadWeightsAsync(pretrained, pretrainedPath, ct);
            attempt.Log($"starting from the weights of {pretrained.ModelName}:{pretrained.Version}");
        }

        return new PreparedData(task, classNames, train, evaluation, test, format, augmentation, plan, resumePath, pretrainedPath);
    }

    private async Task DownloadWeightsAsync(ModelVersionRef version, string path, CancellationToken ct)
    {
        using var call = models.DownloadArtifact(new DownloadArtifactRequest { ModelVersion = version, Kind = ArtifactKind.Weights }, cancellationToken: ct);
        await using FileStream target = File.Create(path);
        await foreach (DownloadArtifactResponse response in call.ResponseStream.ReadAllAsync(ct))
        {
            if (response.PayloadCase == DownloadArtifactResponse.PayloadOneofCase.Chunk)
            {
                response.Chunk.WriteTo(target);
            }
        }
    }

    private static float[] PerChannel(IReadOnlyList<double> values, int channels) =>
        values.Count == channels ? [.. values.Select(v => (float)v)]
        : channels == 1 ? [(float)values.Average()]
        : [.. Enumerable.Range(0, channels).Select(c => (float)values[Math.Min(c, values.Count - 1)])];
}
