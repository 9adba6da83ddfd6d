using Cauchy.V1;
using Grpc.Core;

namespace Cauchy.Trainer.Execution;

/// <summary>
/// One evaluation streamed to <c>Metrics.Evaluate</c> as its batches arrive. The batches are kept, so a stream the
/// metrics service broke off (UNAVAILABLE, DEADLINE_EXCEEDED) is sent again whole, up to three times in all.
/// </summary>
public sealed class EvaluationUpload(Metrics.MetricsClient metrics, EvaluationHeader header, ILogger logger, CancellationToken ct) : IDisposable
{
    private const int MaxAttempts = 3;
    private readonly List<PredictionBatch> _sent = [];
    private AsyncClientStreamingCall<EvaluateRequest, EvaluateResponse>? _call;
    private int _attempt = 1;

    public async Task AddAsync(PredictionBatch batch)
    {
        await WithRetryAsync(async call => await call.RequestStream.WriteAsync(new EvaluateRequest { Batch = batch }, ct));
        _sent.Add(batch);
    }

    /// <summary>Ends the stream and returns the evaluation the metrics service stored.</summary>
    public Task<Evaluation> FinishAsync() => WithRetryAsync(async call =>
    {
        await call.RequestStream.CompleteAsync();
        return (await call.ResponseAsync).Evaluation;
    });

    public void Dispose() => _call?.Dispose();

    private async Task WithRetryAsync(Func<AsyncClientStreamingCall<EvaluateRequest, EvaluateResponse>, Task> action) =>
        await WithRetryAsync(async call =>
        {
            await action(call);
            return true;
        });

    private async Task<T> WithRetryAsync<T>(Func<AsyncClientStreamingCall<EvaluateRequest, EvaluateResponse>, Task<T>> action)
    {
        while (true)
        {
            try
            {
                return await action(_call ??= await OpenAsync());
            }
            catch (RpcException e) when (_attempt < MaxAttempts && e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                logger.LogWarning("job {JobId}: evaluation attempt {Attempt} failed, retrying: {Error}", header.JobId, _attempt, e.Status.Detail);
                _call?.Dispose();
                _call = null;
                await Task.Delay(TimeSpan.FromSeconds(_attempt), ct);
                _attempt++;
            }
        }
    }

    /// <summary>Opens the stream with the header and every batch sent so far.</summary>
    private async Task<AsyncClientStreamingCall<EvaluateRequest, EvaluateResponse>> OpenAsync()
    {
        var call = metrics.Evaluate(cancellationToken: ct);
        try
        {
            await call.RequestStream.WriteAsync(new EvaluateRequest { Header = header }, ct);
            foreach (PredictionBatch batch in _sent)
            {
                await call.RequestStream.WriteAsync(new EvaluateRequest { Batch = batch }, ct);
            }

            return call;
        }
        catch
        {
            call.Dispose();
            throw;
        }
    }
}
