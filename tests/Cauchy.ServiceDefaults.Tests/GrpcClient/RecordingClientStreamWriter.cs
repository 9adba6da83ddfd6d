using Grpc.Core;

namespace Cauchy.ServiceDefaults.Tests.GrpcClient;

/// <summary>A request stream that keeps what is written to it.</summary>
public sealed class RecordingClientStreamWriter<T> : IClientStreamWriter<T>
{
    public List<T> Written { get; } = [];

    public bool Completed { get; private set; }

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(T message)
    {
        Written.Add(message);
        return Task.CompletedTask;
    }

    public Task CompleteAsync()
    {
        Completed = true;
        return Task.CompletedTask;
    }
}
