using Cauchy.ServiceDefaults.Tests.GrpcServer;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Cauchy.ServiceDefaults.Tests.GrpcClient;

/// <summary>
/// Fake continuations for client interceptors: each attempt takes the next scripted outcome (a status code; OK
/// answers "reply N") and the options every attempt was sent with are kept for assertions.
/// </summary>
public sealed class ScriptedCalls(params StatusCode[] outcomes)
{
    private readonly Lock _lock = new();
    private int _next;

    public static readonly Method<string, string> GetDataset = Unary("cauchy.v1.Datasets", "GetDataset");
    public static readonly Method<string, string> CreateDataset = Unary("cauchy.v1.Datasets", "CreateDataset");
    public static readonly Method<string, string> WatchJob = new(MethodType.ServerStreaming, "cauchy.v1.Jobs", "WatchJob", Marshallers.StringMarshaller, Marshallers.StringMarshaller);
    public static readonly Method<string, string> UploadShard = new(MethodType.ClientStreaming, "cauchy.v1.Datasets", "UploadShard", Marshallers.StringMarshaller, Marshallers.StringMarshaller);
    public static readonly Method<string, string> Chat = new(MethodType.DuplexStreaming, "cauchy.v1.Trainer", "Chat", Marshallers.StringMarshaller, Marshallers.StringMarshaller);

    public List<CallOptions> Attempts { get; } = [];

    public int Disposed { get; private set; }

    public static Method<string, string> Unary(string service, string name) =>
        new(MethodType.Unary, service, name, Marshallers.StringMarshaller, Marshallers.StringMarshaller);

    public static ClientInterceptorContext<string, string> Context(Method<string, string> method, CallOptions options = default) => new(method, null, options);

    public AsyncUnaryCall<string> Unary(string request, ClientInterceptorContext<string, string> context)
    {
        var (attempt, code) = Next(context);
        var headers = new Metadata { { "attempt", attempt.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        if (code == StatusCode.OK)
        {
            return new AsyncUnaryCall<string>(Task.FromResult($"reply {attempt}"), Task.FromResult(headers), () => Status.DefaultSuccess, () => [], () => Disposed++);
        }

        var failure = new RpcException(new Status(code, $"scripted failure {attempt}"));
        return new AsyncUnaryCall<string>(Task.FromException<string>(failure), Task.FromException<Metadata>(failure), () => failure.Status, () => [], () => Disposed++);
    }

    public string Blocking(string request, ClientInterceptorContext<string, string> context)
    {
        var (attempt, code) = Next(context);
        return code == StatusCode.OK ? $"reply {attempt}" : throw new RpcException(new Status(code, $"scripted failure {attempt}"));
    }

    public AsyncServerStreamingCall<string> ServerStreaming(string request, ClientInterceptorContext<string, string> context)
    {
        var (_, code) = Next(context);
        return new AsyncServerStreamingCall<string>(new ListStreamReader<string>("event"), Headers(code), () => new Status(code, ""), () => [], () => Disposed++);
    }

    public AsyncClientStreamingCall<string, string> ClientStreaming(ClientInterceptorContext<string, string> context)
    {
        var (attempt, code) = Next(context);
        return new AsyncClientStreamingCall<string, string>(new RecordingClientStreamWriter<string>(), Task.FromResult($"reply {attempt}"), Headers(code), () => new Status(code, ""), () => [], () => Disposed++);
    }

    public AsyncDuplexStreamingCall<string, string> Duplex(ClientInterceptorContext<string, string> context)
    {
        var (_, code) = Next(context);
        return new AsyncDuplexStreamingCall<string, string>(new RecordingClientStreamWriter<string>(), new ListStreamReader<string>("pong"), Headers(code), () => new Status(code, ""), () => [], () => Disposed++);
    }

    private static Task<Metadata> Headers(StatusCode code) =>
        code == StatusCode.OK ? Task.FromResult(new Metadata()) : Task.FromException<Metadata>(new RpcException(new Status(code, "scripted stream failure")));

    private (int Attempt, StatusCode Code) Next(ClientInterceptorContext<string, string> context)
    {
        lock (_lock)
        {
            Attempts.Add(context.Options);
            var index = _next++;
            return (index + 1, index < outcomes.Length ? outcomes[index] : StatusCode.OK);
        }
    }
}
