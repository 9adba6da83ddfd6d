namespace Cauchy.Grpc.Net.Client.Internal;

/// <summary>Why the client ended a call itself; None when the server or the transport ended it.</summary>
internal enum CancelReason
{
    None,
    Cancelled,
    Disposed,
    DeadlineExceeded,
    ChannelDisposed,
}
