using System.Text;
using Grpc.Core;

namespace Cauchy.Grpc.Tests.Server.Infrastructure;

/// <summary>A service whose response marshaller announces 10 bytes and writes fewer: a broken serializer.</summary>
[BindServiceMethod(typeof(LiarService), nameof(BindService))]
public class LiarService
{
    public static readonly Marshaller<string> LyingMarshaller = Marshallers.Create<string>(
        (value, context) =>
        {
            context.SetPayloadLength(10);
            var writer = context.GetBufferWriter();
            var bytes = Encoding.UTF8.GetBytes(value);
            bytes.CopyTo(writer.GetSpan(bytes.Length));
            writer.Advance(bytes.Length);
            context.Complete();
        },
        context => Encoding.UTF8.GetString(context.PayloadAsNewBuffer()));

    public static readonly Method<string, string> StreamMethod =
        new(MethodType.ServerStreaming, "cauchy.test.Liar", "Stream", LyingMarshaller, LyingMarshaller);

    public static void BindService(ServiceBinderBase binder, LiarService? service) =>
        binder.AddMethod(StreamMethod, service == null ? null : new ServerStreamingServerMethod<string, string>(service.Stream));

    public virtual Task Stream(string request, IServerStreamWriter<string> responseStream, ServerCallContext context) =>
        responseStream.WriteAsync("abc");
}
