using System.Diagnostics.CodeAnalysis;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Cauchy.ServiceDefaults.GrpcClient;

/// <summary>
/// Client-side protection for calls to one target (one instance per target address), built on Polly.Core:
/// <list type="bullet">
/// <item>a default deadline when the caller gives none (<see cref="GrpcResilienceOptions.DefaultDeadline"/> for
/// unary calls, <see cref="GrpcResilienceOptions.StreamingDeadline"/> for streams); the deadline is absolute, so
/// retries share it rather than extend it;</item>
/// <item>retries with jittered exponential backoff on UNAVAILABLE, for idempotent unary calls only
/// (<see cref="IdempotencyPolicy"/>), never past the deadline;</item>
/// <item>a circuit breaker that every attempt and every stream passes: when the share of failures
/// (<see cref="GrpcResilienceOptions.FailureStatusCodes"/>) in the sampling window reaches the ratio, calls
/// fail at once with UNAVAILABLE for the break duration, then one probe call decides whether it closes.</item>
/// </list>
/// Streaming calls get the deadline and the breaker but no retries; for the breaker, a stream has succeeded
/// once its response headers arrive, or once it has stayed open for <see cref="GrpcResilienceOptions.StreamAcceptedAfter"/>.
/// </summary>
public sealed class GrpcClientResilienceInterceptor : Interceptor
{
    private static readonly ResiliencePropertyKey<bool> RetryAllowedKey = new("cauchy.grpc.retry-allowed");
    private static readonly ResiliencePropertyKey<DateTime?> DeadlineKey = new("cauchy.grpc.deadline");
    private static readonly ResiliencePropertyKey<string> MethodKey = new("cauchy.grpc.method");

    private readonly string _target;
    private readonly GrpcResilienceOptions _options;
    private readonly IdempotencyPolicy _idempotency;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HashSet<StatusCode> _failureCodes;
    private readonly CircuitBreakerStateProvider _circuit = new();
    private readonly ResiliencePipeline _pipeline;

    public GrpcClientResilienceInterceptor(string target, GrpcResilienceOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        ArgumentNullException.ThrowIfNull(options);
        _target = target;
        _options = options;
        _idempotency = new IdempotencyPolicy(options);
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _failureCodes = [.. options.FailureStatusCodes];
        _pipeline = BuildPipeline();
    }

    /// <summary>The breaker's state: Closed (calls flow), Open (calls refused), HalfOpen (one probe in flight).</summary>
    public CircuitState CircuitState => _circuit.CircuitState;

    public string Target => _target;

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var call = WithDefaultDeadline(context, _options.DefaultDeadline);
        var attempts = new UnaryCallAttempts<TResponse>(call.Options.CancellationToken);
        var response = RunUnaryAsync(request, call, continuation, attempts);
        return new AsyncUnaryCall<TResponse>(response, attempts.ResponseHeadersAsync(response), attempts.GetStatus, attempts.GetTrailers, attempts.Dispose);
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var call = WithDefaultDeadline(context, _options.DefaultDeadline);
        var resilience = RentContext(call.Method, call.Options.CancellationToken, _idempotency.IsIdempotent(call.Method), call.Options.Deadline);
        try
        {
            return _pipeline.Execute(
                static (rc, state) => state.continuation(state.request, WithToken(state.call, rc.CancellationToken)),
                resilience,
                (request, call, continuation));
        }
        catch (Exception exception) when (Translate(exception, call.Method, call.Options.CancellationToken) is { } translated)
        {
            throw translated;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilience);
        }
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var call = WithDefaultDeadline(context, _options.StreamingDeadline);
        return StartStream(call.Method, () => continuation(request, call), static started => started.ResponseHeadersAsync, RejectedCalls.ServerStreaming<TResponse>);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var call = WithDefaultDeadline(context, _options.StreamingDeadline);
        return StartStream(call.Method, () => continuation(call), static started => started.ResponseHeadersAsync, RejectedCalls.ClientStreaming<TRequest, TResponse>);
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var call = WithDefaultDeadline(context, _options.StreamingDeadline);
        return StartStream(call.Method, () => continuation(call), static started => started.ResponseHeadersAsync, RejectedCalls.DuplexStreaming<TRequest, TResponse>);
    }

    /// <summary>
    /// Streams get the breaker but no retries: a stream is admitted (or rejected with a call that fails at once),
    /// started, and counted as a success or failure by its response headers.
    /// </summary>
    private TCall StartStream<TCall>(IMethod method, Func<TCall> start, Func<TCall, Task<Metadata>> headersOf, Func<RpcException, TCall> rejected)
    {
        if (!TryAdmitStream(method, out var probe, out var rejection))
        {
            return rejected(rejection);
        }

        try
        {
            var started = start();
            probe.Observe(headersOf(started), _options.StreamAcceptedAfter, _time);
            return started;
        }
        catch (Exception exception)
        {
            probe.Fail(exception);
            throw;
        }
    }

    private async Task<TResponse> RunUnaryAsync<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> call,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation,
        UnaryCallAttempts<TResponse> attempts)
        where TRequest : class
        where TResponse : class
    {
        var resilience = RentContext(call.Method, attempts.CancellationToken, _idempotency.IsIdempotent(call.Method), call.Options.Deadline);
        try
        {
            return await _pipeline.ExecuteAsync(
                static async (rc, state) =>
                {
                    var attempt = state.continuation(state.request, WithToken(state.call, rc.CancellationToken));
                    state.attempts.Track(attempt);
                    return await attempt.ResponseAsync.ConfigureAwait(false);
                },
                resilience,
                (request, call, continuation, attempts)).ConfigureAwait(false);
        }
        catch (Exception exception) when (Translate(exception, call.Method, attempts.CancellationToken) is { } translated)
        {
            attempts.Fail(translated.Status);
            throw translated;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilience);
            attempts.Completed();
        }
    }

    /// <summary>
    /// Asks the breaker whether a stream may start. The breaker runs a stand-in execution that lasts until the
    /// stream's headers arrive or fail, so the stream counts towards the failure ratio and can be the half-open probe.
    /// </summary>
    private bool TryAdmitStream(IMethod method, out StreamOutcomeProbe probe, [NotNullWhen(false)] out RpcException? rejection)
    {
        var resilience = RentContext(method, CancellationToken.None, retryAllowed: false, deadline: null);
        probe = new StreamOutcomeProbe();
        var execution = _pipeline.ExecuteAsync(
            static async (_, p) =>
            {
                p.MarkAdmitted();
                await p.Outcome.ConfigureAwait(false);
            },
            resilience,
            probe);

        if (!probe.Admitted && execution.IsCompleted)
        {
            try
            {
                execution.GetAwaiter().GetResult();
            }
            catch (Exception exception)
            {
                rejection = Translate(exception, method, CancellationToken.None)
                    ?? new RpcException(new Status(StatusCode.Unavailable, $"Calls to {_target} are refused: {exception.Message}"));
                ResilienceContextPool.Shared.Return(resilience);
                return false;
            }
        }

        _ = CompleteProbeAsync(execution, resilience);
        rejection = null;
        return true;
    }

    private static async Task CompleteProbeAsync(ValueTask execution, ResilienceContext resilience)
    {
        try
        {
            await execution.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RpcException or OperationCanceledException or BrokenCircuitException)
        {
            // The caller learns of the failure from the call itself; this execution only feeds the breaker.
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilience);
        }
    }

    private ResiliencePipeline BuildPipeline()
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = _time, Name = "grpc-client", InstanceName = _target };
        if (_options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = _options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryBaseDelay,
                MaxDelay = _options.RetryMaxDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome.Exception, args.Context)),
                OnRetry = args =>
                {
                    _logger.LogInformation(
                        "Retrying {Method} on {Target} in {Delay} ms (retry {Retry} of {MaxRetries}): {Reason}",
                        args.Context.Properties.GetValue(MethodKey, "?"),
                        _target,
                        (long)args.RetryDelay.TotalMilliseconds,
                        args.AttemptNumber + 1,
                        _options.MaxRetries,
                        args.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = _options.FailureRatio,
            MinimumThroughput = _options.MinimumThroughput,
            SamplingDuration = _options.SamplingDuration,
            BreakDuration = _options.BreakDuration,
            StateProvider = _circuit,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is RpcException rpc && _failureCodes.Contains(rpc.StatusCode)),
            OnOpened = args =>
            {
                _logger.LogWarning("Circuit to {Target} opened for {BreakSeconds} s: {Reason}", _target, args.BreakDuration.TotalSeconds, args.Outcome.Exception?.Message);
                return ValueTask.CompletedTask;
            },
            OnClosed = _ =>
            {
                _logger.LogInformation("Circuit to {Target} closed", _target);
                return ValueTask.CompletedTask;
            },
        });
        return builder.Build();
    }

    private bool ShouldRetry(Exception? exception, ResilienceContext context)
    {
        if (exception is not RpcException { StatusCode: StatusCode.Unavailable } || !context.Properties.GetValue(RetryAllowedKey, false))
        {
            return false;
        }

        var deadline = context.Properties.GetValue(DeadlineKey, null);
        return deadline is null || deadline.Value > _time.GetUtcNow().UtcDateTime;
    }

    private RpcException? Translate(Exception exception, IMethod method, CancellationToken callToken) => exception switch
    {
        BrokenCircuitException broken => new RpcException(new Status(
            StatusCode.Unavailable,
            $"Not calling {method.FullName}: the circuit to {_target} is open after repeated failures"
            + (broken.RetryAfter is { } after ? $"; it lets a call through again in {Math.Ceiling(after.TotalSeconds)} s." : "."))),
        OperationCanceledException when callToken.IsCancellationRequested => new RpcException(new Status(StatusCode.Cancelled, "Call canceled by the client.")),
        _ => null,
    };

    private ClientInterceptorContext<TRequest, TResponse> WithDefaultDeadline<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, TimeSpan deadline)
        where TRequest : class
        where TResponse : class =>
        context.Options.Deadline is not null || deadline <= TimeSpan.Zero
            ? context
            : new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithDeadline(_time.GetUtcNow().UtcDateTime + deadline));

    private static ClientInterceptorContext<TRequest, TResponse> WithToken<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, CancellationToken token)
        where TRequest : class
        where TResponse : class =>
        new(context.Method, context.Host, context.Options.WithCancellationToken(token));

    private static ResilienceContext RentContext(IMethod method, CancellationToken token, bool retryAllowed, DateTime? deadline)
    {
        var context = ResilienceContextPool.Shared.Get(method.FullName, token);
        context.Properties.Set(RetryAllowedKey, retryAllowed);
        context.Properties.Set(DeadlineKey, deadline);
        context.Properties.Set(MethodKey, method.FullName);
        return context;
    }
}
