namespace Grpc.Core;

/// <summary>Per-call options: headers, deadline, cancellation, write options.</summary>
public readonly struct CallOptions
{
    public CallOptions(Metadata? headers = null, DateTime? deadline = null, CancellationToken cancellationToken = default, WriteOptions? writeOptions = null)
        : this(headers, deadline, cancellationToken, writeOptions, waitForReady: false)
    {
    }

    private CallOptions(Metadata? headers, DateTime? deadline, CancellationToken cancellationToken, WriteOptions? writeOptions, bool waitForReady)
    {
        Headers = headers;
        Deadline = deadline;
        CancellationToken = cancellationToken;
        WriteOptions = writeOptions;
        IsWaitForReady = waitForReady;
    }

    public Metadata? Headers { get; }

    /// <summary>An absolute UTC instant; null means no deadline.</summary>
    public DateTime? Deadline { get; }

    public CancellationToken CancellationToken { get; }

    public WriteOptions? WriteOptions { get; }

    /// <summary>Wait for the channel to become ready instead of failing fast with UNAVAILABLE.</summary>
    public bool IsWaitForReady { get; }

    public CallOptions WithHeaders(Metadata headers) => new(headers, Deadline, CancellationToken, WriteOptions, IsWaitForReady);

    public CallOptions WithDeadline(DateTime deadline) => new(Headers, deadline, CancellationToken, WriteOptions, IsWaitForReady);

    public CallOptions WithCancellationToken(CancellationToken cancellationToken) => new(Headers, Deadline, cancellationToken, WriteOptions, IsWaitForReady);

    public CallOptions WithWriteOptions(WriteOptions writeOptions) => new(Headers, Deadline, CancellationToken, writeOptions, IsWaitForReady);

    public CallOptions WithWaitForReady(bool waitForReady = true) => new(Headers, Deadline, CancellationToken, WriteOptions, waitForReady);
}
