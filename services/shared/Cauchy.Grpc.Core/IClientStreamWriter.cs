namespace Grpc.Core;

public interface IClientStreamWriter<in T> : IAsyncStreamWriter<T>
{
    /// <summary>Half-closes the request stream: no more messages follow.</summary>
    Task CompleteAsync();
}
