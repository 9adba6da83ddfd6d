using Cauchy.Domain;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace Cauchy.ServiceDefaults.GrpcServer;

/// <summary>
/// The one place where a refusal of the domain (<see cref="DomainException"/>, thrown by a service's domain classes or
/// by Cauchy.Data) becomes a gRPC status: <see cref="DomainException.Kind"/> gives the code, the message goes out
/// unchanged as the detail (it names the field or object at fault), and <see cref="DomainException.Details"/> go out as
/// trailers. It sits inside <see cref="GrpcServerMetricsInterceptor"/>, so the metrics count the code the caller sees.
/// A full disk under the service's data folder (<see cref="DiskFull"/>) becomes RESOURCE_EXHAUSTED "no space left ...".
/// Any other exception is left alone: Grpc.AspNetCore logs it and answers UNKNOWN.
/// </summary>
public sealed class DomainExceptionInterceptor(ILogger<DomainExceptionInterceptor>? logger = null) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (DomainException exception)
        {
            throw ToRpcException(exception);
        }
        catch (Exception exception) when (DiskFull.IsCause(exception))
        {
            throw NoSpace(exception, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (DomainException exception)
        {
            throw ToRpcException(exception);
        }
        catch (Exception exception) when (DiskFull.IsCause(exception))
        {
            throw NoSpace(exception, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (DomainException exception)
        {
            throw ToRpcException(exception);
        }
        catch (Exception exception) when (DiskFull.IsCause(exception))
        {
            throw NoSpace(exception, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (DomainException exception)
        {
            throw ToRpcException(exception);
        }
        catch (Exception exception) when (DiskFull.IsCause(exception))
        {
            throw NoSpace(exception, context);
        }
    }

    /// <summary>RESOURCE_EXHAUSTED for the caller; for the operator, an error naming the call and what ran out.</summary>
    private RpcException NoSpace(Exception exception, ServerCallContext context)
    {
        logger?.LogError("{Method} failed: the disk under the data folder is full ({Error})", context.Method, exception.Message);
        return new RpcException(new Status(StatusCode.ResourceExhausted, DiskFull.Message));
    }

    /// <summary>The status, detail and trailers a caller receives for <paramref name="exception"/>.</summary>
    public static RpcException ToRpcException(DomainException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var trailers = new Metadata();
        foreach (var (key, value) in exception.Details)
        {
            trailers.Add(key, value);
        }
        return new RpcException(new Status(ToStatusCode(exception.Kind), exception.Message), trailers);
    }

    public static StatusCode ToStatusCode(DomainErrorKind kind) => kind switch
    {
        DomainErrorKind.InvalidArgument => StatusCode.InvalidArgument,
        DomainErrorKind.NotFound => StatusCode.NotFound,
        DomainErrorKind.AlreadyExists => StatusCode.AlreadyExists,
        DomainErrorKind.FailedPrecondition => StatusCode.FailedPrecondition,
        DomainErrorKind.Aborted => StatusCode.Aborted,
        DomainErrorKind.ResourceExhausted => StatusCode.ResourceExhausted,
        DomainErrorKind.DataLoss => StatusCode.DataLoss,
        DomainErrorKind.Unavailable => StatusCode.Unavailable,
        DomainErrorKind.PermissionDenied => StatusCode.PermissionDenied,
        DomainErrorKind.Unimplemented => StatusCode.Unimplemented,
        _ => StatusCode.Internal,
    };
}
