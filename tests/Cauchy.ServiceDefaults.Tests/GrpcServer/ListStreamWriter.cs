using Grpc.Core;

namespace Cauchy.ServiceDefaults.Tests.GrpcServer;

/// <summary>A response stream that keeps what is written to it.</summary>
public sealed class ListStreamWriter<T> : IServerStreamWriter<T>
{
    public List<T> Written { get; } = [];

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(T message)
    {
        Written.Add(message);
        return Task.CompletedTask;
    }
}
