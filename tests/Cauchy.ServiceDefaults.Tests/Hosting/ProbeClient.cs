using Grpc.Core;

namespace Cauchy.ServiceDefaults.Tests.Hosting;

public sealed class ProbeClient : ClientBase<ProbeClient>
{
    public ProbeClient(CallInvoker callInvoker)
        : base(callInvoker)
    {
    }

    private ProbeClient(ClientBaseConfiguration configuration)
        : base(configuration)
    {
    }

    public AsyncUnaryCall<string> GetPingAsync(string request, CallOptions options = default) =>
        CallInvoker.AsyncUnaryCall(ProbeContract.GetPing, null, options, request);

    public AsyncUnaryCall<string> GetFlakyAsync(string request, CallOptions options = default) =>
        CallInvoker.AsyncUnaryCall(ProbeContract.GetFlaky, null, options, request);

    public AsyncUnaryCall<string> SubmitFlakyAsync(string request, CallOptions options = default) =>
        CallInvoker.AsyncUnaryCall(ProbeContract.SubmitFlaky, null, options, request);

    public AsyncUnaryCall<string> GetMissingAsync(string request, CallOptions options = default) =>
        CallInvoker.AsyncUnaryCall(ProbeContract.GetMissing, null, options, request);

    public AsyncServerStreamingCall<string> WatchTicks(string request, CallOptions options = default) =>
        CallInvoker.AsyncServerStreamingCall(ProbeContract.WatchTicks, null, options, request);

    protected override ProbeClient NewInstance(ClientBaseConfiguration configuration) => new(configuration);
}
