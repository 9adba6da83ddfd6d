using System.Globalization;
using Grpc.Core;

namespace Cauchy.ServiceDefaults.Tests.Hosting;

/// <summary>Answers pings, fails on purpose (UNAVAILABLE for the first calls, NOT_FOUND always) and streams ticks.</summary>
public sealed class ProbeService : ProbeServiceBase
{
    private int _flakyGets;
    private int _flakySubmits;

    public int FlakyGets => Volatile.Read(ref _flakyGets);

    public int FlakySubmits => Volatile.Read(ref _flakySubmits);

    public override Task<string> GetPing(string request, ServerCallContext context) => Task.FromResult("pong " + request);

    public override Task<string> GetFlaky(string request, ServerCallContext context) =>
        Interlocked.Increment(ref _flakyGets) <= 2
            ? throw new RpcException(new Status(StatusCode.Unavailable, "warming up"))
            : Task.FromResult("ready " + request);

    public override Task<string> SubmitFlaky(string request, ServerCallContext context) =>
        Interlocked.Increment(ref _flakySubmits) <= 2
            ? throw new RpcException(new Status(StatusCode.Unavailable, "warming up"))
            : Task.FromResult("submitted " + request);

    public override Task<string> GetMissing(string request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.NotFound, $"probe '{request}' does not exist"));

    public override async Task WatchTicks(string request, IServerStreamWriter<string> responseStream, ServerCallContext context)
    {
        var count = int.Parse(request, CultureInfo.InvariantCulture);
        for (var i = 1; i <= count; i++)
        {
            await responseStream.WriteAsync("tick " + i.ToString(CultureInfo.InvariantCulture));
        }
    }
}
