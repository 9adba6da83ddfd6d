using System.Globalization;
using System.Security.Cryptography;
using Cauchy.Storage;
using Cauchy.Torch;
using Cauchy.Torch.Data;
using Cauchy.Torch.Models;
using Cauchy.Torch.Optimization;
using Cauchy.Torch.Training;
using Cauchy.Trainer.Data;
using Cauchy.Trainer.Worker;
using Cauchy.V1;
using Augmentation = Cauchy.Torch.Data.Augmentation;
using Optimizer = Cauchy.Torch.Optimization.Optimizer;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using TorchTrainer = Cauchy.Torch.Training.Trainer;

namespace Cauchy.Trainer.Execution;

/// <summary>
/// One attempt of one leased job, start to end: fetch the data, build the model (from the checkpoint the lease names
/// when another worker lost the job, else from the spec's seed or pretrained weights), train epoch by epoch with
/// checkpoints to the object store, evaluate every epoch through the metrics service, register the weights with
/// their lineage, evaluate the registered version on the test split, and complete the job. The lease is kept by a
/// <see cref="LeaseKeeper"/>; cancellation, a lost lease, a drain or a shutdown stop the training between steps.
/// </summary>
public sealed class JobRun
{
    private readonly JobContext ctx;
    private readonly LeaseJobResponse lease;
    private readonly Job job;
    private readonly JobSpec spec;
    private readonly LeaseKeeper keeper;
    private readonly RunningJob running;
    private readonly string workDir;
    private readonly CancellationToken stopping;

    private string[] classNames = [];
    private SplitData? train;
    private SplitData? evalSplit;
    private SplitData? testSplit;
    private InputFormat? format;
    private Augmentation augmentation = new();
    private string? resumePath;
    private string? pretrainedPath;
    private long totalSteps;
    private bool releasing;

    private JobRun(JobContext ctx, LeaseJobResponse lease, LeaseKeeper keeper, CancellationToken stopping)
    {
        this.ctx = ctx;
        this.lease = lease;
        this.keeper = keeper;
        this.stopping = stopping;
        job = lease.Job;
        spec = job.Spec;
        running = ctx.Board.Start(job);
        workDir = Path.Combine(ctx.WorkRoot, job.Id);
    }

    /// <summary>Runs the leased job to its end (completed, failed, cancelled, released or lost); never throws for the job's own failures.</summary>
    public static async Task RunAsync(JobContext ctx, LeaseJobResponse lease, CancellationToken stopping)
    {
        await using var keeper = new LeaseKeeper(ctx.Jobs, lease, ctx.Logger, ctx.Time);
        var run = new JobRun(ctx, lease, keeper, stopping);
        try
        {
            keeper.Start();
            await run.ExecuteAsync();
        }
        finally
        {
            ctx.Board.Finish();
            try
            {
                Directory.Delete(run.workDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task ExecuteAsync()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping, keeper.Stopped, ctx.Board.ReleaseRequested);
        CancellationToken ct = stop.Token;
        try
        {
            Directory.CreateDirectory(workDir);
            keeper.Log($"attempt {job.Attempt}: worker {ctx.Board.WorkerId} on {ctx.Device.Describe().Name}, {spec.Model.Architecture} on {spec.Dataset.DatasetId}/{spec.Dataset.VersionId}" +
                (lease.ResumeFrom is { } r ? $", resuming from the checkpoint of step {r.Step}" : ""));
            await PrepareAsync(ct);
            TrainResult result = await Task.Factory.StartNew(() => Train(ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await FinishAsync(result, ct);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await StoppedAsync();
        }
        catch (JobFailedException e)
        {
            await FailAsync(e.Message, e.Retryable);
        }
        catch (RpcException e)
        {
            bool transient = e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Aborted or StatusCode.ResourceExhausted or StatusCode.Internal or StatusCode.Unknown;
            await FailAsync($"a call to another service failed: {e.StatusCode}: {e.Status.Detail}", transient);
        }
        catch (TorchException e)
        {
            bool outOfMemory = e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase);
            await FailAsync($"training failed in libtorch: {FirstLine(e.Message)}", retryable: outOfMemory);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            ctx.Logger.LogError(e, "job {JobId} failed", job.Id);
            await FailAsync($"{e.GetType().Name}: {FirstLine(e.Message)}", retryable: e is IOException);
        }
    }

    private async Task PrepareAsync(CancellationToken ct)
    {
        Report(JobPhase.Preparing);
        DatasetVersion version = (await ctx.Datasets.GetDatasetVersionAsync(
            new GetDatasetVersionRequest { DatasetId = spec.Dataset.DatasetId, VersionId = spec.Dataset.VersionId }, cancellationToken: ct)).Version;
        if (version.TaskType != TaskType.Classification || spec.TaskType != TaskType.Classification)
        {
            throw new JobFailedException($"this trainer trains classification only; the job's task is {spec.TaskType}, the dataset's {version.TaskType}", retryable: false);
        }

        classNames = [.. version.ClassNames];
        ShardManifest manifest = (await ctx.Datasets.GetShardManifestAsync(
            new GetShardManifestRequest { DatasetId = version.DatasetId, VersionId = version.VersionId }, cancellationToken: ct)).Manifest;
        long Count(Split s) => version.SplitCounts.FirstOrDefault(c => c.Split == s)?.SampleCount ?? 0;
        train = await SplitData.LoadAsync(ctx.Datasets, manifest, Split.Train, ct);
        format = InputFormat.Decide(train.Samples, spec.Model.Options);
        Split evalSplitName = Count(Split.Validation) > 0 ? Split.Validation : Split.Test;
        evalSplit = Count(evalSplitName) > 0 ? await SplitData.LoadAsync(ctx.Datasets, manifest, evalSplitName, ct) : null;
        Split testName = Count(Split.Test) > 0 ? Split.Test : Split.Validation;
        testSplit = testName == evalSplit?.Split ? evalSplit : Count(testName) > 0 ? await SplitData.LoadAsync(ctx.Datasets, manifest, testName, ct) : null;
        keeper.Log($"data: {train.Samples.Count} training images of {format.Height}x{format.Width}x{format.Channels}, {classNames.Length} classes; " +
            $"evaluating on {(evalSplit is null ? "nothing (no validation or test split)" : $"{evalSplit.Samples.Count} {SplitName(evalSplit.Split)} images")} each epoch");

        (float[]? mean, float[]? std) = (null, null);
        if (spec.Hyperparameters.Augmentation?.Normalize == true)
        {
            DatasetStatistics stats = (await ctx.Datasets.GetDatasetStatisticsAsync(
                new GetDatasetStatisticsRequest { DatasetId = version.DatasetId, VersionId = version.VersionId }, cancellationToken: ct)).Statistics;
            SplitStatistics? trainStats = stats.Splits.FirstOrDefault(s => s.Split == Split.Train);
            if (trainStats is null || trainStats.PixelMean.Count == 0)
            {
                throw new JobFailedException("spec.hyperparameters.augmentation.normalize needs the train split's pixel statistics, which the dataset version lacks", retryable: false);
            }

            mean = PerChannel(trainStats.PixelMean, format.Channels);
            std = PerChannel(trainStats.PixelStd, format.Channels);
        }

        augmentation = SpecTranslation.Augmentation(spec.Hyperparameters.Augmentation, mean, std);
        SpecTranslation.CheckSupported(spec.Hyperparameters);
        if (lease.ResumeFrom is { Object: { } checkpoint })
        {
            resumePath = Path.Combine(workDir, "resume.safetensors");
            await DownloadCheckpointAsync(checkpoint, resumePath, ct);
        }
        else if (spec.Model.Pretrained is { } pretrained && (pretrained.ModelName.Length > 0 || pretrained.VersionId.Length > 0))
        {
            pretrainedPath = Path.Combine(workDir, "pretrained.safetensors");
            await DownloadArtifactAsync(pretrained, pretrainedPath, ct);
        }
    }

    /// <summary>The training itself, on a thread of its own (libtorch calls block).</summary>
    private TrainResult Train(CancellationToken ct)
    {
        if (ctx.Options.Threads > 0)
        {
            torch.set_num_threads(ctx.Options.Threads);
        }

        Hyperparameters h = spec.Hyperparameters;
        torch.manual_seed(h.Seed);
        ModelOptions modelOptions = SpecTranslation.ModelOptions(spec.Model, classNames.Length, format!.Channels);
        using nn.Module<Tensor, Tensor> model = ModelZoo.Create(spec.Model.Architecture, modelOptions);
        if (pretrainedPath is not null)
        {
            LoadPretrained(model, pretrainedPath);
        }

        model.to(ctx.Device.Device);
        var loader = new DataLoader<Sample>(train!.Samples, format.ToImage, new DataLoaderOptions
        {
            BatchSize = h.BatchSize,
            Seed = h.Seed,
            Shuffle = true,
            Workers = ctx.Options.LoaderWorkers,
            Augmentation = augmentation,
        });
        int stepsPerEpoch = loader.BatchesPerEpoch ?? 0;
        totalSteps = (long)stepsPerEpoch * h.Epochs;
        using Optimizer optimizer = SpecTranslation.Optimizer(h.Optimizer, model.parameters());
        LRScheduler? schedule = SpecTranslation.Schedule(h.LrSchedule, optimizer, stepsPerEpoch, h.Epochs);
        using var criterion = new nn.CrossEntropyLoss(label_smoothing: h.LabelSmoothing);
        var trainer = new TorchTrainer(model, optimizer, criterion.call, schedule, new TrainerOptions
        {
            ScheduleInterval = ScheduleInterval.Step,
            ProgressEvery = ctx.Options.ProgressEverySteps,
            CheckpointEvery = (int)Math.Min(int.MaxValue, spec.CheckpointEverySteps),
            CheckpointEachEpoch = true,
            CheckpointPath = Path.Combine(workDir, "latest.safetensors"),
            Device = ctx.Device.Device,
        });
        trainer.StepCompleted += OnStep;
        trainer.CheckpointSaved += OnCheckpoint;
        if (resumePath is not null)
        {
            trainer.Resume(resumePath);
            keeper.Log($"resumed at step {trainer.Step} (epoch {trainer.Position.Epoch + 1}, batch {trainer.Position.Batch})");
        }

        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        while (trainer.Position.Epoch < h.Epochs)
        {
            int epoch = trainer.Position.Epoch + 1;
            Report(JobPhase.Training, epoch, trainer.Step);
            EpochMetrics result = trainer.TrainEpoch(loader, cancellationToken: ct);
            if (!result.Completed)
            {
                if (!keeper.Stopped.IsCancellationRequested)
                {
                    // A drain or a shutdown: keep the work for whoever resumes the job.
                    releasing = true;
                    Report(JobPhase.Checkpointing, epoch, trainer.Step);
                    trainer.SaveCheckpoint();
                }

                ct.ThrowIfCancellationRequested();
            }

            metrics["train/loss"] = result.Loss;
            metrics["train/accuracy"] = result.Top1;
            Record("train/accuracy", result.Top1, trainer.Step, epoch);
            if (evalSplit is not null)
            {
                Report(JobPhase.Evaluating, epoch, trainer.Step);
                (Evaluation evaluation, double loss) = Evaluate(model, evalSplit, epoch, null, ct);
                string split = SplitName(evalSplit.Split);
                metrics["validation/loss"] = loss;
                metrics["validation/accuracy"] = evaluation.Classification.Top1Accuracy;
                metrics["validation/top5_accuracy"] = evaluation.Classification.Top5Accuracy;
                Record("validation/loss", loss, trainer.Step, epoch);
                Record("validation/accuracy", evaluation.Classification.Top1Accuracy, trainer.Step, epoch);
                Record("validation/top5_accuracy", evaluation.Classification.Top5Accuracy, trainer.Step, epoch);
                running.ValidationAccuracy = evaluation.Classification.Top1Accuracy;
                keeper.Log(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {epoch}/{h.Epochs}: train loss {result.Loss:F4} accuracy {result.Top1:F4}; {split} loss {loss:F4} accuracy {evaluation.Classification.Top1Accuracy:F4} (evaluation {evaluation.Id})"));
            }
            else
            {
                keeper.Log(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{h.Epochs}: train loss {result.Loss:F4} accuracy {result.Top1:F4}"));
            }

            if (ctx.Device.IsCuda)
            {
                long used = ctx.Device.Describe().MemoryUsedBytes;
                running.GpuMemoryBytes = used;
                Record("gpu_memory_bytes", used, trainer.Step, epoch);
            }

            keeper.EpochCompleted(epoch);
        }

        Report(JobPhase.Registering, h.Epochs, trainer.Step);
        string weights = Path.Combine(workDir, "model.safetensors");
        using (torch.NewDisposeScope())
        {
            safetensors.save_file(model.state_dict().Select(p => KeyValuePair.Create(p.Key, p.Value.to(Cpu))), weights, new Dictionary<string, string>
            {
                ["architecture"] = spec.Model.Architecture,
                ["job_id"] = job.Id,
                ["step"] = trainer.Step.ToString(CultureInfo.InvariantCulture),
            });
        }

        ModelVersion registered = RegisterAsync(weights, metrics, ct).GetAwaiter().GetResult();
        var reference = new ModelVersionRef { ModelName = registered.ModelName, Version = registered.Version, VersionId = registered.VersionId };
        keeper.Log($"registered {registered.ModelName}:{registered.Version} ({registered.VersionId})");
        if (testSplit is not null)
        {
            Report(JobPhase.Evaluating, h.Epochs, trainer.Step);
            (Evaluation test, double loss) = Evaluate(model, testSplit, h.Epochs, reference, ct);
            string split = SplitName(testSplit.Split);
            metrics[$"{split}/loss"] = loss;
            metrics[$"{split}/accuracy"] = test.Classification.Top1Accuracy;
            metrics[$"{split}/top5_accuracy"] = test.Classification.Top5Accuracy;
            keeper.Log(string.Create(CultureInfo.InvariantCulture,
                $"{split}: loss {loss:F4} accuracy {test.Classification.Top1Accuracy:F4} top-5 {test.Classification.Top5Accuracy:F4} ({test.SampleCount} images, evaluation {test.Id})"));
        }

        return new TrainResult(reference, metrics, trainer.Step);
    }

    private static Device Cpu { get; } = new(DeviceType.CPU, -1);

    private void OnStep(StepProgress p)
    {
        int epoch = p.Epoch + 1;
        Record("train/loss", p.Loss, p.Step, epoch);
        Record("learning_rate", p.LearningRate, p.Step, epoch);
        Record("samples_per_second", p.SamplesPerSecond, p.Step, epoch);
        running.TrainLoss = p.Loss;
        running.LearningRate = p.LearningRate;
        running.SamplesPerSecond = p.SamplesPerSecond;
        ctx.Board.AddSamples((long)ctx.Options.ProgressEverySteps * spec.Hyperparameters.BatchSize);
        Report(JobPhase.Training, epoch, p.Step, p.SamplesPerSecond);
    }

    private void OnCheckpoint(CheckpointSaved saved)
    {
        string key = $"checkpoints/{job.Id}/step-{saved.Step.ToString("D10", CultureInfo.InvariantCulture)}.safetensors";
        ObjectInfo stored;
        using (FileStream file = File.OpenRead(saved.Path))
        {
            stored = ctx.Store.PutAsync(key, file, CancellationToken.None).GetAwaiter().GetResult();
        }

        var checkpoint = new Checkpoint
        {
            Object = new ObjectRef { Uri = ObjectUri(key), Sha256 = stored.Sha256 ?? "", SizeBytes = stored.Size, MediaType = "application/octet-stream" },
            Step = saved.Step,
            Epoch = saved.EndOfEpoch ? saved.Position.Epoch : saved.Position.Epoch + 1,
            CompletedEpoch = saved.EndOfEpoch,
            CreateTime = Timestamp.FromDateTimeOffset(ctx.Time.GetUtcNow()),
        };
        keeper.Checkpointed(checkpoint, flush: !saved.EndOfEpoch);
        ctx.Logger.LogInformation("job {JobId}: checkpoint of step {Step} stored as {Key}", job.Id, saved.Step, key);
    }

    /// <summary>
    /// Runs the model over a split in eval mode and streams its scores to the metrics service, which stores the
    /// evaluation (linked to the job, and to the model version when given). Returns it with the mean loss.
    /// </summary>
    private (Evaluation Evaluation, double Loss) Evaluate(nn.Module<Tensor, Tensor> model, SplitData split, int epoch, ModelVersionRef? version, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return EvaluateOnce(model, split, epoch, version, ct);
            }
            catch (RpcException e) when (attempt < 3 && e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                ctx.Logger.LogWarning("job {JobId}: evaluation attempt {Attempt} failed, retrying: {Error}", job.Id, attempt, e.Status.Detail);
                Task.Delay(TimeSpan.FromSeconds(attempt), ct).GetAwaiter().GetResult();
            }
        }
    }

    private (Evaluation Evaluation, double Loss) EvaluateOnce(nn.Module<Tensor, Tensor> model, SplitData split, int epoch, ModelVersionRef? version, CancellationToken ct)
    {
        var loader = new DataLoader<Sample>(split.Samples, format!.ToImage, new DataLoaderOptions
        {
            BatchSize = ctx.Options.EvaluationBatch,
            Shuffle = false,
            Workers = ctx.Options.LoaderWorkers,
            Augmentation = augmentation.WithoutRandomness(),
        });
        var header = new EvaluationHeader
        {
            Kind = EvaluationKind.Classification,
            JobId = job.Id,
            DatasetVersion = spec.Dataset,
            Split = split.Split,
            Epoch = epoch,
            Classification = new ClassificationOptions { TopK = Math.Min(5, classNames.Length) },
        };
        header.ClassNames.AddRange(classNames);
        if (version is not null)
        {
            header.ModelVersion = version;
        }

        using var call = ctx.Metrics.Evaluate(cancellationToken: ct);
        call.RequestStream.WriteAsync(new EvaluateRequest { Header = header }, ct).GetAwaiter().GetResult();
        bool wasTraining = model.training;
        model.eval();
        double lossSum = 0;
        int offset = 0;
        try
        {
            using GradModeScope noGrad = torch.no_grad();
            foreach (Batch batch in loader.Epoch(0))
            {
                using (batch)
                using (torch.NewDisposeScope())
                {
                    ct.ThrowIfCancellationRequested();
                    Tensor logits = model.call(batch.images.to(ctx.Device.Device)).to(Cpu);
                    lossSum += nn.functional.cross_entropy(logits, batch.labels, reduction: nn.Reduction.Sum).item<float>();
                    var predictions = new ClassificationPredictions();
                    predictions.Scores.AddRange(logits.ToArray<float>());
                    long[] labels = batch.labels.ToArray<long>();
                    predictions.Labels.AddRange(labels.Select(l => (int)l));
                    predictions.SampleIds.AddRange(Enumerable.Range(offset, labels.Length).Select(i => split.Samples[i].Id));
                    offset += labels.Length;
                    call.RequestStream.WriteAsync(new EvaluateRequest { Batch = new PredictionBatch { Classification = predictions } }, ct).GetAwaiter().GetResult();
                }
            }
        }
        finally
        {
            if (wasTraining)
            {
                model.train();
            }
        }

        call.RequestStream.CompleteAsync().GetAwaiter().GetResult();
        Evaluation evaluation = call.ResponseAsync.GetAwaiter().GetResult().Evaluation;
        return (evaluation, offset > 0 ? lossSum / offset : double.NaN);
    }

    private async Task<ModelVersion> RegisterAsync(string weights, Dictionary<string, double> metrics, CancellationToken ct)
    {
        string sha256;
        long size;
        await using (FileStream file = File.OpenRead(weights))
        {
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
            size = file.Length;
        }

        var header = new CreateModelVersionHeader
        {
            ModelName = spec.OutputModelName,
            CreateModel = true,
            Lineage = new Lineage
            {
                JobId = job.Id,
                Attempt = job.Attempt,
                DatasetVersion = spec.Dataset,
                JobSpec = spec,
                BaseModelVersion = spec.Model.Pretrained,
            },
            Description = $"{spec.Model.Architecture} trained by job {job.Id} on {spec.Dataset.DatasetId}/{spec.Dataset.VersionId}",
            Weights = new WeightsUpload { SizeBytes = size, Sha256 = sha256 },
            IdempotencyKey = $"job-{job.Id}",
        };
        header.ClassNames.AddRange(classNames);
        long step = totalSteps;
        header.Metrics.AddRange(metrics.Select(m => new MetricValue { Name = m.Key, Value = m.Value, Step = step, Epoch = spec.Hyperparameters.Epochs }));
        try
        {
            return await UploadAsync(header, weights, ct);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            // An earlier attempt of this job registered other weights (it trained on past its last checkpoint before
            // it was lost): this attempt's weights become a version of their own.
            header.IdempotencyKey = $"job-{job.Id}-attempt-{job.Attempt}";
            return await UploadAsync(header, weights, ct);
        }
    }

    private async Task<ModelVersion> UploadAsync(CreateModelVersionHeader header, string weights, CancellationToken ct)
    {
        using var call = ctx.Models.CreateModelVersion(cancellationToken: ct);
        await call.RequestStream.WriteAsync(new CreateModelVersionRequest { Header = header }, ct);
        await using (FileStream file = File.OpenRead(weights))
        {
            byte[] buffer = new byte[1 << 20];
            int read;
            while ((read = await file.ReadAsync(buffer, ct)) > 0)
            {
                await call.RequestStream.WriteAsync(new CreateModelVersionRequest { Chunk = ByteString.CopyFrom(buffer, 0, read) }, ct);
            }
        }

        await call.RequestStream.CompleteAsync();
        return (await call.ResponseAsync).ModelVersion;
    }

    private async Task FinishAsync(TrainResult result, CancellationToken ct)
    {
        var request = new CompleteJobRequest { LeaseId = lease.LeaseId, ResultModelVersion = result.Model };
        request.Metrics.AddRange(result.Metrics.Where(m => m.Key.StartsWith("test/", StringComparison.Ordinal))
            .Select(m => new MetricValue { Name = m.Key, Value = m.Value, Step = result.Step, Epoch = spec.Hyperparameters.Epochs, Time = Timestamp.FromDateTimeOffset(ctx.Time.GetUtcNow()) }));
        keeper.Log("training finished");
        await keeper.FinalFlushAsync(ct);
        if (keeper.LeaseLost)
        {
            keeper.Log($"the lease was lost before the job could complete: {keeper.LostReason}");
            return;
        }

        await EndLeaseAsync(() => ctx.Jobs.CompleteJobAsync(request, cancellationToken: CancellationToken.None).ResponseAsync, "complete");
        await DeleteCheckpointsAsync();
    }

    private async Task StoppedAsync()
    {
        if (keeper.LeaseLost)
        {
            ctx.Logger.LogWarning("job {JobId}: stopped; its work is discarded because the lease was lost ({Reason})", job.Id, keeper.LostReason);
        }
        else if (keeper.CancelRequested)
        {
            keeper.Log("stopped: the job was cancelled");
            await keeper.FinalFlushAsync(CancellationToken.None);
            await EndLeaseAsync(() => ctx.Jobs.FailJobAsync(new FailJobRequest { LeaseId = lease.LeaseId, ErrorMessage = "cancelled", Retryable = false }).ResponseAsync, "cancel");
        }
        else
        {
            string reason = stopping.IsCancellationRequested ? "the worker is shutting down" : "the worker is draining";
            keeper.Log($"released: {reason}{(releasing ? "; a checkpoint of the current step was written for whoever resumes it" : "")}");
            await keeper.FinalFlushAsync(CancellationToken.None);
            await EndLeaseAsync(() => ctx.Jobs.ReleaseJobAsync(new ReleaseJobRequest { LeaseId = lease.LeaseId, Reason = reason }).ResponseAsync, "release");
        }
    }

    private async Task FailAsync(string message, bool retryable)
    {
        ctx.Logger.LogWarning("job {JobId}: attempt {Attempt} failed ({Retryable}): {Message}", job.Id, job.Attempt, retryable ? "retryable" : "not retryable", message);
        if (keeper.LeaseLost)
        {
            return;
        }

        keeper.Log($"failed: {message}");
        await keeper.FinalFlushAsync(CancellationToken.None);
        await EndLeaseAsync(() => ctx.Jobs.FailJobAsync(new FailJobRequest { LeaseId = lease.LeaseId, ErrorMessage = message, Retryable = retryable }).ResponseAsync, "fail");
    }

    /// <summary>Ends the lease, retrying while the orchestrator is unreachable; a lease that already ended is left alone.</summary>
    private async Task EndLeaseAsync<T>(Func<Task<T>> call, string what)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await call();
                return;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.FailedPrecondition or StatusCode.NotFound)
            {
                ctx.Logger.LogWarning("job {JobId}: could not {What} the job, the lease has ended: {Detail}", job.Id, what, e.Status.Detail);
                return;
            }
            catch (Exception e) when (attempt < 30 && e is RpcException or Polly.CircuitBreaker.BrokenCircuitException)
            {
                ctx.Logger.LogWarning("job {JobId}: {What} attempt {Attempt} failed, retrying: {Error}", job.Id, what, attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, attempt)), ctx.Time);
            }
        }
    }

    private async Task DeleteCheckpointsAsync()
    {
        try
        {
            await foreach (ObjectInfo o in ctx.Store.ListAsync($"checkpoints/{job.Id}/"))
            {
                await ctx.Store.DeleteAsync(o.Key);
            }
        }
        catch (Exception e) when (e is IOException or RpcException or InvalidOperationException)
        {
            ctx.Logger.LogWarning("job {JobId}: checkpoints not cleaned up: {Error}", job.Id, e.Message);
        }
    }

    private async Task DownloadCheckpointAsync(ObjectRef checkpoint, string path, CancellationToken ct)
    {
        Stream source;
        if (checkpoint.Uri.StartsWith("file://", StringComparison.Ordinal) && File.Exists(new Uri(checkpoint.Uri).LocalPath))
        {
            source = File.OpenRead(new Uri(checkpoint.Uri).LocalPath);
        }
        else if (KeyOf(checkpoint.Uri) is { } key)
        {
            source = await ctx.Store.OpenReadAsync(key, cancellationToken: ct);
        }
        else
        {
            throw new JobFailedException($"the checkpoint to resume from, {checkpoint.Uri}, is not in this worker's object store", retryable: true);
        }

        await using (source)
        await using (FileStream target = File.Create(path))
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            byte[] buffer = new byte[1 << 20];
            int read;
            while ((read = await source.ReadAsync(buffer, ct)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await target.WriteAsync(buffer.AsMemory(0, read), ct);
            }

            string sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (checkpoint.Sha256.Length > 0 && !string.Equals(sha, checkpoint.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new JobFailedException($"the checkpoint {checkpoint.Uri} is corrupt: sha256 {sha}, expected {checkpoint.Sha256}", retryable: false);
            }
        }
    }

    private async Task DownloadArtifactAsync(ModelVersionRef version, string path, CancellationToken ct)
    {
        using var call = ctx.Models.DownloadArtifact(new DownloadArtifactRequest { ModelVersion = version, Kind = ArtifactKind.Weights }, cancellationToken: ct);
        await using FileStream target = File.Create(path);
        await foreach (DownloadArtifactResponse response in call.ResponseStream.ReadAllAsync(ct))
        {
            if (response.PayloadCase == DownloadArtifactResponse.PayloadOneofCase.Chunk)
            {
                response.Chunk.WriteTo(target);
            }
        }

        keeper.Log($"starting from the weights of {version.ModelName}:{version.Version}");
    }

    /// <summary>Loads pretrained weights whose names and shapes match; others (e.g. a head for another class count) keep their fresh initialisation.</summary>
    private void LoadPretrained(nn.Module<Tensor, Tensor> model, string path)
    {
        using var scope = torch.NewDisposeScope();
        Dictionary<string, Tensor> own = model.state_dict();
        Dictionary<string, Tensor> loaded = safetensors.load_file(path);
        var usable = loaded.Where(p => own.TryGetValue(p.Key, out Tensor? mine) && mine.shape.SequenceEqual(p.Value.shape))
            .ToDictionary(p => p.Key, p => p.Value);
        model.load_state_dict(usable, strict: false);
        var skipped = own.Keys.Where(k => !usable.ContainsKey(k)).ToList();
        keeper.Log($"pretrained weights: {usable.Count} tensors loaded, {skipped.Count} initialised afresh{(skipped.Count > 0 ? $" ({string.Join(", ", skipped.Take(5))}{(skipped.Count > 5 ? ", ..." : "")})" : "")}");
        foreach (Tensor t in loaded.Values)
        {
            t.Dispose();
        }
    }

    private string ObjectUri(string key) => ctx.Storage.Kind.Equals("s3", StringComparison.OrdinalIgnoreCase)
        ? $"s3://{ctx.Storage.S3.Bucket}/{key}"
        : new Uri(Path.GetFullPath(Path.Combine(ctx.Storage.Local.Root, key))).AbsoluteUri;

    private string? KeyOf(string uri)
    {
        string prefix = ObjectUri("");
        return uri.StartsWith(prefix, StringComparison.Ordinal) ? uri[prefix.Length..] : null;
    }

    private void Record(string name, double value, long step, int epoch) =>
        keeper.Record(new MetricValue { Name = name, Value = value, Step = step, Epoch = epoch, Time = Timestamp.FromDateTimeOffset(ctx.Time.GetUtcNow()) });

    private void Report(JobPhase phase, int epoch = 0, long step = 0, double samplesPerSecond = 0)
    {
        var progress = new JobProgress
        {
            Phase = phase,
            Epoch = epoch,
            TotalEpochs = spec.Hyperparameters.Epochs,
            Step = step,
            TotalSteps = totalSteps,
            SamplesPerSecond = samplesPerSecond > 0 ? samplesPerSecond : running.Progress.SamplesPerSecond,
        };
        if (progress.SamplesPerSecond > 0 && totalSteps > step)
        {
            double seconds = (totalSteps - step) * (double)spec.Hyperparameters.BatchSize / progress.SamplesPerSecond;
            progress.Eta = Duration.FromTimeSpan(TimeSpan.FromSeconds(Math.Round(seconds)));
        }

        running.Progress = progress;
        keeper.Report(progress);
    }

    private static float[] PerChannel(IReadOnlyList<double> values, int channels) =>
        values.Count == channels ? [.. values.Select(v => (float)v)]
        : channels == 1 ? [(float)values.Average()]
        : [.. Enumerable.Range(0, channels).Select(c => (float)values[Math.Min(c, values.Count - 1)])];

    private static string SplitName(Split split) => split switch
    {
        Split.Train => "train",
        Split.Validation => "validation",
        Split.Test => "test",
        _ => "unspecified",
    };

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    private sealed record TrainResult(ModelVersionRef Model, Dictionary<string, double> Metrics, long Step);
}
