using Grpc.Core;

namespace Cauchy.Grpc.Tests.Server.Infrastructure;

/// <summary>
/// What the test service does, set by each test (a DI singleton the service gets by constructor injection).
/// The defaults echo, so a test only scripts the method it is about.
/// </summary>
public sealed class TestScript
{
    public Func<string, ServerCallContext, Task<string>> Unary { get; set; } = (request, _) => Task.FromResult("echo:" + request);

    public Func<string, IServerStreamWriter<string>, ServerCallContext, Task> ServerStream { get; set; } = async (request, stream, _) =>
    {
        var count = int.TryParse(request, out var n) ? n : 3;
        for (var i = 0; i < count; i++)
        {
            await stream.WriteAsync("item" + i);
        }
    };

    public Func<IAsyncStreamReader<string>, ServerCallContext, Task<string>> ClientStream { get; set; } = async (requests, context) =>
    {
        var all = new List<string>();
        while (await requests.MoveNext(context.CancellationToken))
        {
            all.Add(requests.Current);
        }
        return string.Join(",", all);
    };

    public Func<IAsyncStreamReader<string>, IServerStreamWriter<string>, ServerCallContext, Task> Duplex { get; set; } = async (requests, responses, context) =>
    {
        while (await requests.MoveNext(context.CancellationToken))
        {
            await responses.WriteAsync("re:" + requests.Current);
        }
    };

    public Func<byte[], ServerCallContext, Task<byte[]>> Bytes { get; set; } = (request, _) => Task.FromResult(request);

    public Func<byte[], IServerStreamWriter<byte[]>, ServerCallContext, Task> BytesStream { get; set; } = (_, _, _) => Task.CompletedTask;

    /// <summary>Things handlers observed, for the test to assert on after the call.</summary>
    public List<string> Events { get; } = [];

    public void Record(string what)
    {
        lock (Events)
        {
            Events.Add(what);
        }
    }

    public string[] RecordedEvents()
    {
        lock (Events)
        {
            return Events.ToArray();
        }
    }
}
