using System.Buffers.Binary;

namespace Cauchy.Registry.Domain;

/// <summary>
/// Passes an upload through and checks, as soon as its header has gone by, that it is a safetensors file of the
/// announced size (<see cref="SafetensorsHeader"/>); otherwise the read fails and the store commits nothing. Only the
/// header is held in memory.
/// </summary>
public sealed class SafetensorsCheckingStream(Stream inner, long fileSize, string field) : Stream
{
    private readonly byte[] _length = new byte[8];
    private byte[]? _header;
    private long _seen;
    private bool _checked;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position
    {
        get => _seen;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        if (!_checked)
        {
            Inspect(buffer.Span[..n]);
            if (n == 0)
            {
                Fail(_seen < 8 ? $"it ends after {_seen} bytes, inside its 8-byte header length" : "it ends inside its header");
            }
        }
        return n;
    }

    private void Inspect(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && !_checked)
        {
            if (_seen < 8)
            {
                var take = (int)Math.Min(8 - _seen, data.Length);
                data[..take].CopyTo(_length.AsSpan((int)_seen));
                _seen += take;
                data = data[take..];
                if (_seen == 8)
                {
                    var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(_length);
                    if (SafetensorsHeader.CheckLength(headerLength, fileSize) is { } problem)
                    {
                        Fail(problem);
                    }
                    _header = new byte[headerLength];
                }
                continue;
            }
            var filled = (int)(_seen - 8);
            var part = Math.Min(_header!.Length - filled, data.Length);
            data[..part].CopyTo(_header.AsSpan(filled));
            _seen += part;
            data = data[part..];
            if (filled + part == _header.Length)
            {
                if (SafetensorsHeader.Check(_header, fileSize - 8 - _header.Length) is { } problem)
                {
                    Fail(problem);
                }
                _checked = true;
                _header = null;
            }
        }
    }

    private void Fail(string problem) =>
        throw new ArtifactMismatchException($"{field}: the weights are not a safetensors file: {problem}.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
