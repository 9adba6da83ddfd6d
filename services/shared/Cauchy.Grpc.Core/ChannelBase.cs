namespace Grpc.Core;

/// <summary>A connection (or pool of connections) to one target.</summary>
public abstract class ChannelBase(string target)
{
    public string Target { get; } = target ?? throw new ArgumentNullException(nameof(target));

    public abstract CallInvoker CreateCallInvoker();

    public Task ShutdownAsync() => ShutdownAsyncCore();

    protected virtual Task ShutdownAsyncCore() => Task.CompletedTask;
}
