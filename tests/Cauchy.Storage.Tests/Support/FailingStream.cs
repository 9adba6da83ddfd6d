namespace Cauchy.Storage.Tests.Support;

/// <summary>A source that delivers <paramref name="goodBytes"/> bytes and then fails, like a dropped client upload.</summary>
public sealed class FailingStream(int goodBytes) : Stream
{
    private int _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_position >= goodBytes)
        {
            throw new IOException("The client went away in the middle of the upload.");
        }
        var n = Math.Min(count, goodBytes - _position);
        Array.Fill(buffer, (byte)7, offset, n);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
