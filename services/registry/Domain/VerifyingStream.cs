using System.Security.Cryptography;

namespace Cauchy.Registry.Domain;

/// <summary>
/// Passes an upload through while counting and hashing it, and fails the read that would end it unless exactly the
/// announced size with the announced sha256 arrived. The store writes to a temporary file and commits only after the
/// source has ended, so a failing final read means nothing is stored; more bytes than announced fail at once.
/// </summary>
public sealed class VerifyingStream(Stream inner, long expectedSize, string expectedSha256, string field) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _received;
    private bool _verified;

    public long Received => _received;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position
    {
        get => _received;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        if (n > 0)
        {
            _received += n;
            if (_received > expectedSize)
            {
                throw new ArtifactMismatchException($"{field}: more than the announced {expectedSize} bytes arrived.");
            }
            _hash.AppendData(buffer.Span[..n]);
            return n;
        }
        if (!_verified)
        {
            if (_received != expectedSize)
            {
                throw new ArtifactMismatchException($"{field}: {_received} bytes arrived, the header announced size_bytes {expectedSize}.");
            }
            var actual = Convert.ToHexStringLower(_hash.GetHashAndReset());
            if (actual != expectedSha256)
            {
                throw new ArtifactMismatchException($"{field}: the bytes received have sha256 {actual}, the header announced {expectedSha256}.");
            }
            _verified = true;
        }
        return 0;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
