using Grpc.Core;

namespace Cauchy.ServiceDefaults.Tests.Hosting;

/// <summary>
/// A tiny gRPC contract written the way Grpc.Tools generates one (methods, a [BindServiceMethod] base and a
/// client), with UTF-8 string messages so the tests need no proto compilation.
/// </summary>
public static class ProbeContract
{
    public const string ServiceName = "cauchy.test.v1.Probe";

    public static readonly Method<string, string> GetPing = Unary("GetPing");
    public static readonly Method<string, string> GetFlaky = Unary("GetFlaky");
    public static readonly Method<string, string> SubmitFlaky = Unary("SubmitFlaky");
    public static readonly Method<string, string> GetMissing = Unary("GetMissing");
    public static readonly Method<string, string> WatchTicks =
        new(MethodType.ServerStreaming, ServiceName, "WatchTicks", Marshallers.StringMarshaller, Marshallers.StringMarshaller);

    private static Method<string, string> Unary(string name) => new(MethodType.Unary, ServiceName, name, Marshallers.StringMarshaller, Marshallers.StringMarshaller);
}
