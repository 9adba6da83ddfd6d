using System.Globalization;
using System.Threading.Channels;
using Cauchy.Torch;
using Cauchy.Trainer.Worker;
using Cauchy.V1;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Cauchy.Trainer.Execution;

/// <summary>
/// One attempt of one leased job, as a pipeline: prepare the data → train → register the weights → evaluate the
/// registered version on the test split → complete the job. Each step takes and returns a record. Only the epoch
/// loop runs on a dedicated thread (libtorch calls block); it hands checkpoints, evaluations and epoch ends to
/// this side through a channel, so nothing on that thread waits for the network. The lease is kept by a
/// <see cref="LeaseKeeper"/>; cancellation, a lost lease, a drain or a shutdown stop the training between steps.
/// </summary>
public sealed class JobRun(
    Jobs.JobsClient jobs,
    DataPreparation preparation,
    TrainingLoop loop,
    TrainingEventConsumer consumer,
    Evaluator evaluator,
    Registration registration,
    LeaseEnding ending,
    DeviceProbe device,
    WorkerStatusBoard board,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<JobRun> logger)
{
    /// <summary>Runs the leased job to its end (completed, failed, cancelled, released or lost); never throws for the job's own failures.</summary>
    public async Task RunAsync(LeaseJobResponse lease, CancellationToken stopping)
    {
        await using var keeper = new LeaseKeeper(jobs, lease, logger, time, TimeSpan.FromSeconds(options.Value.OrchestratorOutageGraceSeconds));
        var attempt = new JobAttempt(lease, keeper, board.Start(lease.Job), Path.Combine(options.Value.WorkDir, lease.Job.Id), time);
        try
        {
            keeper.Start();
            await ExecuteAsync(attempt, stopping);
        }
        finally
        {
            board.Finish();
            try
            {
                Directory.Delete(attempt.WorkDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task ExecuteAsync(JobAttempt attempt, CancellationToken stopping)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping, attempt.Keeper.Stopped, board.ReleaseRequested);
        CancellationToken ct = stop.Token;
        try
        {
            Directory.CreateDirectory(attempt.WorkDir);
            JobSpec spec = attempt.Spec;
            attempt.Log($"attempt {attempt.Job.Attempt}: worker {board.WorkerId} on {device.Describe().Name}, {spec.Model.Architecture} on {spec.Dataset.DatasetId}/{spec.Dataset.VersionId}" +
                (attempt.Lease.ResumeFrom is { } r ? $", resuming from the checkpoint of step {r.Step}" : ""));
            PreparedData data = await preparation.PrepareAsync(attempt, ct);
            attempt.Plan = data.Plan;
            using TrainedModel trained = await TrainAsync(attempt, data, ct);
            RegisteredVersion registered = await registration.RegisterAsync(attempt, data, trained, ct);
            SplitEvaluation? test = await TestAsync(attempt, data, trained, registered, ct);
            await ending.CompleteAsync(attempt, registered, trained.Step, test?.Metrics ?? [], ct);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await ending.StoppedAsync(attempt, shuttingDown: stopping.IsCancellationRequested);
        }
        catch (JobFailedException e)
        {
            await ending.FailAsync(attempt, e.Message, e.Retryable);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && stop.IsCancellationRequested)
        {
            await ending.StoppedAsync(attempt, shuttingDown: stopping.IsCancellationRequested);
        }
        catch (RpcException e)
        {
            bool transient = e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Aborted or StatusCode.ResourceExhausted or StatusCode.Internal or StatusCode.Unknown;
            if (transient)
            {
                await PauseBeforeRetryAsync(attempt, e, ct);
            }

            await ending.FailAsync(attempt, $"a call to another service failed: {e.StatusCode}: {e.Status.Detail}", transient);
        }
        catch (TorchException e)
        {
            bool outOfMemory = e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase);
            await ending.FailAsync(attempt, $"training failed in libtorch: {FirstLine(e.Message)}", retryable: outOfMemory);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            logger.LogError(e, "job {JobId} failed", attempt.Job.Id);
            await ending.FailAsync(attempt, $"{e.GetType().Name}: {FirstLine(e.Message)}", retryable: e is IOException);
        }
    }

    /// <summary>
    /// Holds the lease (the keeper goes on heartbeating) for 1, 2, 4 … s — doubling with the job's failures so far, at
    /// most Trainer:MaxPeerFailurePauseSeconds — before a peer's transient failure is reported: failing at once would
    /// let the job's next attempts, leased again within milliseconds, use up every retry while a peer restarts.
    /// A drain, a shutdown or a cancellation ends the pause early.
    /// </summary>
    private async Task PauseBeforeRetryAsync(JobAttempt attempt, RpcException failure, CancellationToken ct)
    {
        double seconds = Math.Min(options.Value.MaxPeerFailurePauseSeconds, Math.Pow(2, Math.Min(attempt.Job.FailureCount, 16)));
        attempt.Log(string.Create(CultureInfo.InvariantCulture, $"a call to another service failed ({failure.StatusCode}); giving the job back in {seconds:F0} s"));
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), time, ct);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// The epoch loop on a thread of its own while this side stores its checkpoints, streams its evaluations and
    /// reports its epochs. A failure on this side stops the loop; the loop's own failure or stop ends the step.
    /// </summary>
    private async Task<TrainedModel> TrainAsync(JobAttempt attempt, PreparedData data, CancellationToken ct)
    {
        var events = Channel.CreateUnbounded<TrainingEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task<TrainedModel> training = OnTrainingThread(() => loop.Run(attempt, data, events.Writer, abort.Token), events.Writer);
        TrainingReport report;
        try
        {
            report = await consumer.ConsumeAsync(attempt, data, events.Reader, ct);
        }
        catch
        {
            await abort.CancelAsync();
            try
            {
                (await training).Dispose();
            }
            catch (Exception e) when (e is OperationCanceledException or TorchException or InvalidOperationException)
            {
                // The loop stopped because this side failed; this side's failure is the one to report.
            }

            if (ct.IsCancellationRequested)
            {
                // Stopped while an upload was under way: the checkpoint written for whoever resumes the job still counts.
                await consumer.StoreCheckpointsAsync(attempt, events.Reader);
            }

            throw;
        }

        TrainedModel trained = await training;
        return trained with { Metrics = report.Metrics };
    }

    /// <summary>
    /// The registered version on the test split (else validation), linked to the version in the metrics service;
    /// its numbers are filed under that split's name and go to CompleteJob. Without a validation split they are also
    /// the last epoch's points of the per-epoch test curve.
    /// </summary>
    private async Task<SplitEvaluation?> TestAsync(JobAttempt attempt, PreparedData data, TrainedModel trained, RegisteredVersion registered, CancellationToken ct)
    {
        if (data.Test is not { } split)
        {
            return null;
        }

        attempt.Report(JobPhase.Evaluating, data.Plan.Epochs, trained.Step);
        var events = Channel.CreateUnbounded<TrainingEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        Task<bool> producer = OnTrainingThread(() =>
        {
            evaluator.Evaluate(attempt, data, trained.Model, split, data.Plan.Epochs, registered.Reference, events.Writer, ct);
            return true;
        }, events.Writer);
        TrainingReport report = await consumer.ConsumeAsync(attempt, data, events.Reader, ct);
        await producer;
        SplitEvaluation test = report.LastEvaluation ?? throw new InvalidOperationException("the test evaluation produced no result");
        if (data.EpochsEvaluateTheTestSplit)
        {
            foreach ((string name, double value) in test.Metrics)
            {
                attempt.Record(name, value, trained.Step, data.Plan.Epochs);
            }
        }

        string numbers = string.Join(" ", data.Task.MetricNames.Select(n => string.Create(CultureInfo.InvariantCulture, $"{n} {test.Values.GetValueOrDefault(n, double.NaN):F4}")));
        attempt.Log($"{test.SplitName}: {numbers} ({test.Evaluation.SampleCount} images, evaluation {test.Evaluation.Id})");
        return test;
    }

    /// <summary>Runs libtorch work on a dedicated thread; the channel is completed when it ends, however it ends.</summary>
    private static Task<T> OnTrainingThread<T>(Func<T> work, ChannelWriter<TrainingEvent> events) =>
        Task.Factory.StartNew(() =>
        {
            try
            {
                return work();
            }
            finally
            {
                events.TryComplete();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
