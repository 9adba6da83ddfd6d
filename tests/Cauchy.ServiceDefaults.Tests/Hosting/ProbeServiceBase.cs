using Grpc.Core;

namespace Cauchy.ServiceDefaults.Tests.Hosting;

[BindServiceMethod(typeof(ProbeServiceBase), nameof(BindService))]
public abstract class ProbeServiceBase
{
    public static void BindService(ServiceBinderBase binder, ProbeServiceBase? service)
    {
        binder.AddMethod(ProbeContract.GetPing, service is null ? null : new UnaryServerMethod<string, string>(service.GetPing));
        binder.AddMethod(ProbeContract.GetFlaky, service is null ? null : new UnaryServerMethod<string, string>(service.GetFlaky));
        binder.AddMethod(ProbeContract.SubmitFlaky, service is null ? null : new UnaryServerMethod<string, string>(service.SubmitFlaky));
        binder.AddMethod(ProbeContract.GetMissing, service is null ? null : new UnaryServerMethod<string, string>(service.GetMissing));
        binder.AddMethod(ProbeContract.WatchTicks, service is null ? null : new ServerStreamingServerMethod<string, string>(service.WatchTicks));
    }

    public abstract Task<string> GetPing(string request, ServerCallContext context);

    public abstract Task<string> GetFlaky(string request, ServerCallContext context);

    public abstract Task<string> SubmitFlaky(string request, ServerCallContext context);

    public abstract Task<string> GetMissing(string request, ServerCallContext context);

    public abstract Task WatchTicks(string request, IServerStreamWriter<string> responseStream, ServerCallContext context);
}
