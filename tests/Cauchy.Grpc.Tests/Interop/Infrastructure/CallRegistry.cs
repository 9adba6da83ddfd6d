using System.Collections.Concurrent;
using Cauchy.Interop.V1;
using Grpc.Core;

namespace Cauchy.Grpc.Tests.Interop.Infrastructure;

/// <summary>
/// What our test server remembers about its calls: each call that carried a <c>call_id</c>
/// (cancelled? finished?), how many calls were in flight at once, and the rendezvous barriers
/// that prove concurrency. One per server; the Echo service reads and writes it.
/// </summary>
public sealed class CallRegistry
{
    private static readonly TimeSpan BarrierTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, CallRecord> _records = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BarrierState> _barriers = new(StringComparer.Ordinal);
    private int _inFlight;
    private int _maxInFlight;

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public CallRecord? Find(string callId) => _records.TryGetValue(callId, out var record) ? record : null;

    public TrackedCall Begin(ServerCallContext context)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        int max;
        while (inFlight > (max = Volatile.Read(ref _maxInFlight)) &&
               Interlocked.CompareExchange(ref _maxInFlight, inFlight, max) != max)
        {
        }
        return new TrackedCall(this, context);
    }

    internal void End() => Interlocked.Decrement(ref _inFlight);

    internal CallRecord Register(string callId, long deadlineRemainingMs)
    {
        var record = new CallRecord(deadlineRemainingMs);
        _records[callId] = record;
        return record;
    }

    /// <summary>True once <paramref name="count"/> calls arrived at barrier <paramref name="id"/>; false after 10 s.</summary>
    public async Task<bool> ArriveAtBarrierAsync(string id, int count, CancellationToken cancellationToken)
    {
        var barrier = _barriers.GetOrAdd(id, _ => new BarrierState());
        if (Interlocked.Increment(ref barrier.Arrived) >= count)
        {
            barrier.Opened.TrySetResult();
        }
        try
        {
            await barrier.Opened.Task.WaitAsync(BarrierTimeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public int ArrivedAt(string id) => _barriers.TryGetValue(id, out var barrier) ? Volatile.Read(ref barrier.Arrived) : 0;

    private sealed class BarrierState
    {
        public readonly TaskCompletionSource Opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Arrived;
    }
}

/// <summary>The fate of one call that carried a call_id.</summary>
public sealed class CallRecord(long deadlineRemainingMs)
{
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _cancelled;
    private int _received;
    private int _sent;

    public bool Cancelled => _cancelled;

    public bool Finished => _finished.Task.IsCompleted;

    public long DeadlineRemainingMs { get; } = deadlineRemainingMs;

    public int MessagesReceived => Volatile.Read(ref _received);

    public int MessagesSent => Volatile.Read(ref _sent);

    /// <summary>Waits until the handler returned; false when it had not after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitFinishedAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            await _finished.Task.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public CallState ToMessage() => new()
    {
        Known = true,
        Finished = Finished,
        Cancelled = Cancelled,
        DeadlineRemainingMs = DeadlineRemainingMs,
        MessagesReceived = MessagesReceived,
        MessagesSent = MessagesSent,
        // Kestrel does not tell an application which RST_STREAM code closed a stream.
        RstCode = -1,
    };

    public override string ToString() => ToMessage().ToString();

    internal void MarkCancelled() => _cancelled = true;

    internal void SetCounts(int received, int sent)
    {
        Volatile.Write(ref _received, received);
        Volatile.Write(ref _sent, sent);
    }

    internal void MarkFinished() => _finished.TrySetResult();
}

/// <summary>
/// A handler's view of its own call while it runs. Cancellation counts only while the handler
/// has not yet decided its status, so a token that fired after a normal completion (if a runtime
/// did that) would not be mistaken for a cancellation.
/// </summary>
public sealed class TrackedCall : IDisposable
{
    private static readonly TimeSpan CancellationGrace = TimeSpan.FromSeconds(1);

    private readonly CallRegistry _registry;
    private readonly CancellationTokenRegistration _registration;
    private readonly TaskCompletionSource _tokenFired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CallRecord? _record;
    private volatile bool _statusDecided;
    private volatile bool _cancelled;
    private int _received;
    private int _sent;

    internal TrackedCall(CallRegistry registry, ServerCallContext context)
    {
        _registry = registry;
        DeadlineRemainingMs = context.Deadline == DateTime.MaxValue
            ? -1
            : Math.Max(0, (long)(context.Deadline.ToUniversalTime() - DateTime.UtcNow).TotalMilliseconds);
        _registration = context.CancellationToken.Register(OnCancelled);
    }

    public long DeadlineRemainingMs { get; }

    public int Received => Volatile.Read(ref _received);

    public void Attach(string callId)
    {
        if (string.IsNullOrEmpty(callId) || _record is not null)
        {
            return;
        }
        var record = _registry.Register(callId, DeadlineRemainingMs);
        record.SetCounts(Received, Volatile.Read(ref _sent));
        if (_cancelled)
        {
            record.MarkCancelled();
        }
        _record = record;
    }

    public void CountReceived()
    {
        Interlocked.Increment(ref _received);
        _record?.SetCounts(Received, Volatile.Read(ref _sent));
    }

    public void CountSent()
    {
        Interlocked.Increment(ref _sent);
        _record?.SetCounts(Received, Volatile.Read(ref _sent));
    }

    /// <summary>Called just before the handler returns or throws its status.</summary>
    public void DecideStatus() => _statusDecided = true;

    public void Dispose()
    {
        _registry.End();
        if (_statusDecided || _cancelled)
        {
            Complete();
            return;
        }
        // The handler ended without deciding a status: it threw, typically because a read failed
        // after the client reset the stream. Kestrel signals RequestAborted from the thread pool,
        // which can come just after the failed read, so the token gets a moment before the call's
        // outcome is recorded. A token that never fires still shows as not cancelled.
        _ = CompleteAfterGraceAsync();
    }

    private async Task CompleteAfterGraceAsync()
    {
        await Task.WhenAny(_tokenFired.Task, Task.Delay(CancellationGrace));
        Complete();
    }

    private void Complete()
    {
        _registration.Dispose();
        _record?.MarkFinished();
    }

    private void OnCancelled()
    {
        if (_statusDecided)
        {
            return;
        }
        _cancelled = true;
        _record?.MarkCancelled();
        _tokenFired.TrySetResult();
    }
}
