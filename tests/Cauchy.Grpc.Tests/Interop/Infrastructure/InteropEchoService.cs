using Cauchy.Interop.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using BadRequest = Google.Rpc.BadRequest;

namespace Cauchy.Grpc.Tests.Interop.Infrastructure;

/// <summary>
/// Our server's implementation of the interop Echo service: the same behaviour as
/// tests/interop-node/server.js, written as an ordinary grpc-dotnet style service. It reaches the
/// HttpContext only for what the gRPC API does not expose (the raw grpc-timeout/grpc-encoding
/// headers, and resetting the HTTP/2 stream with a chosen error code).
/// </summary>
public sealed class InteropEchoService(CallRegistry registry, IHttpContextAccessor httpContextAccessor) : Echo.EchoBase
{
    private const string EchoPrefix = "x-echo-";
    private const string TrailerPrefix = "x-trailer-";

    public override async Task<EchoResponse> Unary(EchoRequest request, ServerCallContext context)
    {
        using var call = registry.Begin(context);
        call.Attach(request.CallId);
        call.CountReceived();
        await HoldAtBarrierAsync(request, context);
        await PauseAsync(request.DelayMs, context);
        var trailers = await EchoMetadataAsync(request, context);
        call.DecideStatus();
        ResetIfRequested(request);
        ThrowIfFailureRequested(request, trailers);
        AddAll(context.ResponseTrailers, trailers);
        call.CountSent();
        return CreateResponse(request, context, call, 0);
    }

    public override async Task ServerStream(EchoRequest request, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        using var call = registry.Begin(context);
        call.Attach(request.CallId);
        call.CountReceived();
        await HoldAtBarrierAsync(request, context);
        var trailers = await EchoMetadataAsync(request, context);
        await WriteResponsesAsync(request, responseStream, context, call, firstIndex: 0);
        await FinishAsync(request, trailers, context, call);
    }

    public override async Task<EchoResponse> ClientStream(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        using var call = registry.Begin(context);
        EchoRequest? first = null;
        long receivedBytes = 0;
        await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
        {
            if (first is null)
            {
                first = message;
                call.Attach(message.CallId);
            }
            call.CountReceived();
            receivedBytes += message.Payload.Length;
        }
        var request = first ?? new EchoRequest();
        await PauseAsync(request.DelayMs, context);
        var trailers = await EchoMetadataAsync(request, context);
        call.DecideStatus();
        ResetIfRequested(request);
        ThrowIfFailureRequested(request, trailers);
        AddAll(context.ResponseTrailers, trailers);
        var response = CreateResponse(request, context, call, 0);
        response.ReceivedBytes = receivedBytes;
        call.CountSent();
        return response;
    }

    public override async Task Duplex(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        using var call = registry.Begin(context);
        var trailers = new Metadata();
        var first = true;
        var index = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            call.CountReceived();
            if (first)
            {
                first = false;
                call.Attach(request.CallId);
                trailers = await EchoMetadataAsync(request, context);
            }
            index = await WriteResponsesAsync(request, responseStream, context, call, index);
            if (WantsFailure(request))
            {
                await FinishAsync(request, trailers, context, call);
                return;
            }
        }
        call.DecideStatus();
        AddAll(context.ResponseTrailers, trailers);
    }

    public override async Task<CallState> GetCallState(CallStateRequest request, ServerCallContext context)
    {
        var record = registry.Find(request.CallId);
        if (record is null)
        {
            return new CallState { Known = false, RstCode = -1 };
        }
        if (request.WaitMs > 0)
        {
            await record.WaitFinishedAsync(TimeSpan.FromMilliseconds(request.WaitMs), context.CancellationToken);
        }
        return record.ToMessage();
    }

    /// <summary>Writes this request's responses (stopping early for a requested failure); returns the next index.</summary>
    private async Task<int> WriteResponsesAsync(EchoRequest request, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context, TrackedCall call, int firstIndex)
    {
        var count = Math.Max(request.ResponseCount, 1);
        var index = firstIndex;
        for (var i = 0; i < count; i++)
        {
            if (WantsFailure(request) && i == request.FailAfterResponses)
            {
                break;
            }
            await PauseAsync(request.DelayMs, context);
            await responseStream.WriteAsync(CreateResponse(request, context, call, index++));
            call.CountSent();
        }
        return index;
    }

    private async Task FinishAsync(EchoRequest request, Metadata trailers, ServerCallContext context, TrackedCall call)
    {
        call.DecideStatus();
        if (request.AbortWithRstCode != 0)
        {
            // Let the responses already written reach the client before the reset.
            await Task.Delay(50);
            ResetIfRequested(request);
        }
        ThrowIfFailureRequested(request, trailers);
        AddAll(context.ResponseTrailers, trailers);
    }

    private async Task HoldAtBarrierAsync(EchoRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.BarrierId) || request.BarrierCount <= 1)
        {
            return;
        }
        if (!await registry.ArriveAtBarrierAsync(request.BarrierId, request.BarrierCount, context.CancellationToken))
        {
            throw new RpcException(new Status(StatusCode.Aborted,
                $"barrier {request.BarrierId}: only {registry.ArrivedAt(request.BarrierId)} of {request.BarrierCount} calls were in flight at once"));
        }
    }

    private static async Task PauseAsync(int delayMs, ServerCallContext context)
    {
        if (delayMs > 0)
        {
            // A cancelled call ends here with OperationCanceledException, as ordinary services do.
            await Task.Delay(delayMs, context.CancellationToken);
        }
    }

    private static async Task<Metadata> EchoMetadataAsync(EchoRequest request, ServerCallContext context)
    {
        var trailers = new Metadata();
        if (!request.EchoMetadata)
        {
            return trailers;
        }
        var headers = new Metadata();
        foreach (var entry in context.RequestHeaders)
        {
            if (!entry.Key.StartsWith(EchoPrefix, StringComparison.Ordinal))
            {
                continue;
            }
            var trailerKey = TrailerPrefix + entry.Key[EchoPrefix.Length..];
            if (entry.IsBinary)
            {
                headers.Add(entry.Key, entry.ValueBytes);
                trailers.Add(trailerKey, entry.ValueBytes);
            }
            else
            {
                headers.Add(entry.Key, entry.Value);
                trailers.Add(trailerKey, entry.Value);
            }
        }
        await context.WriteResponseHeadersAsync(headers);
        return trailers;
    }

    private static bool WantsFailure(EchoRequest request) =>
        request.ThrowException || request.StatusCode != 0 || request.AbortWithRstCode != 0;

    private static void ThrowIfFailureRequested(EchoRequest request, Metadata trailers)
    {
        if (request.ThrowException)
        {
            throw new InvalidOperationException("the handler failed on purpose (throw_exception)");
        }
        if (request.StatusCode == 0)
        {
            return;
        }
        if (request.StatusDetails)
        {
            // Grpc.StatusProto: RichStatus(request).ToRpcException() would carry grpc-status-details-bin as its only
            // trailer; SetRpcStatus adds it to the echoed trailers instead, so both travel.
            var status = RichStatus(request);
            trailers.SetRpcStatus(status);
            throw new RpcException(new Status((StatusCode)status.Code, status.Message), trailers);
        }
        throw new RpcException(new Status((StatusCode)request.StatusCode, request.StatusMessage), trailers);
    }

    /// <summary>What interop.proto's status_details asks for: the call's code and message, and one BadRequest.</summary>
    private static Google.Rpc.Status RichStatus(EchoRequest request) => new()
    {
        Code = request.StatusCode,
        Message = request.StatusMessage,
        Details =
        {
            Any.Pack(new BadRequest
            {
                FieldViolations = { new BadRequest.Types.FieldViolation { Field = "message", Description = request.Message } },
            }),
        },
    };

    private void ResetIfRequested(EchoRequest request)
    {
        if (request.AbortWithRstCode == 0)
        {
            return;
        }
        var reset = httpContextAccessor.HttpContext?.Features.Get<IHttpResetFeature>()
            ?? throw new InvalidOperationException("The HTTP/2 stream cannot be reset: no IHttpResetFeature.");
        reset.Reset(request.AbortWithRstCode);
        // The client is gone as far as this call is concerned; nothing more can be sent.
        throw new RpcException(new Status(StatusCode.Cancelled, $"stream reset with HTTP/2 error code {request.AbortWithRstCode}"));
    }

    private EchoResponse CreateResponse(EchoRequest request, ServerCallContext context, TrackedCall call, int index)
    {
        var headers = httpContextAccessor.HttpContext?.Request.Headers;
        return new EchoResponse
        {
            Message = request.Message,
            Payload = request.ResponseSize > 0 ? TestData.PatternString(request.ResponseSize, index) : request.Payload,
            Index = index,
            ReceivedCount = call.Received,
            DeadlineRemainingMs = call.DeadlineRemainingMs,
            Peer = context.Peer,
            RequestGrpcTimeout = headers?["grpc-timeout"].ToString() ?? "",
            RequestGrpcEncoding = headers?["grpc-encoding"].ToString() ?? "",
            MaxInFlight = registry.MaxInFlight,
        };
    }

    private static void AddAll(Metadata target, Metadata entries)
    {
        foreach (var entry in entries)
        {
            target.Add(entry);
        }
    }
}
