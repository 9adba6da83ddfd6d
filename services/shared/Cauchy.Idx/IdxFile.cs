using System.Buffers.Binary;
using System.IO.Compression;

namespace Cauchy.Idx;

/// <summary>
/// IDX files (the MNIST/Fashion-MNIST format), plain or gzip-compressed (".gz"): a big-endian magic 0x0000TTNN
/// (TT the element type, 0x08 for unsigned bytes; NN the number of dimensions), NN big-endian 32-bit sizes, then the
/// elements. <see cref="Open"/> and <see cref="ReadHeader"/> let a caller stream a file and word its own refusals;
/// <see cref="Read"/> reads a whole unsigned-byte file with errors that name the file.
/// </summary>
public static class IdxFile
{
    /// <summary>The element type code of unsigned bytes, the only one these readers accept.</summary>
    public const byte UnsignedByte = 0x08;

    /// <summary>The magic number of an unsigned-byte file of <paramref name="dimensions"/> dimensions.</summary>
    public static int UnsignedByteMagic(int dimensions) => (UnsignedByte << 8) | dimensions;

    /// <summary>The file as a buffered stream, decompressed when its name ends in ".gz".</summary>
    public static Stream Open(string path)
    {
        Stream file = new BufferedStream(File.OpenRead(path), 1 << 20);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 20)
            : file;
    }

    /// <summary>
    /// The next <paramref name="count"/> big-endian 32-bit integers of a header (the magic, then the sizes), as signed
    /// values. <see cref="EndOfStreamException"/> when the stream ends first; a corrupt gzip stream throws
    /// <see cref="InvalidDataException"/>.
    /// </summary>
    public static int[] ReadHeader(Stream stream, int count)
    {
        Span<byte> bytes = stackalloc byte[4 * count];
        stream.ReadExactly(bytes);
        var values = new int[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = BinaryPrimitives.ReadInt32BigEndian(bytes[(4 * i)..]);
        }

        return values;
    }

    /// <summary>
    /// Reads a whole unsigned-byte file of 1 to 4 dimensions: the dimension sizes and the data, checked to be exactly
    /// their product. Errors name the file: <see cref="FileNotFoundException"/> when it is missing,
    /// <see cref="InvalidDataException"/> when it is truncated, has trailing bytes or holds another element type.
    /// </summary>
    public static (int[] Shape, byte[] Data) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX file {path} does not exist", path);
        }

        using var stream = Open(path);
        try
        {
            var magic = Header(stream, 1, path, "the magic number")[0];
            var dimensions = magic & 0xFF;
            if (magic >> 8 != UnsignedByte || dimensions is < 1 or > 4)
            {
                throw new InvalidDataException(
                    $"{path}: not an unsigned-byte IDX file (magic {magic:X8}, expected 000008 followed by 1 to 4 dimensions)");
            }

            var shape = Header(stream, dimensions, path, $"the sizes of {dimensions} dimensions");
            long count = 1;
            for (var i = 0; i < shape.Length; i++)
            {
                if (shape[i] < 0)
                {
                    throw new InvalidDataException($"{path}: dimension {i} has size {(uint)shape[i]}");
                }

                count *= shape[i];
            }

            if (count > Array.MaxLength)
            {
                throw new InvalidDataException($"{path}: {string.Join('x', shape)} bytes is more than this reader holds in memory");
            }

            var data = new byte[count];
            var read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
            if (read < data.Length)
            {
                throw new InvalidDataException(
                    $"{path}: truncated: the file ends after {read} of the {count} data bytes for shape {string.Join('x', shape)}");
            }

            if (stream.ReadByte() != -1)
            {
                throw new InvalidDataException($"{path}: trailing bytes after {count} data bytes for shape {string.Join('x', shape)}");
            }

            return (shape, data);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            // GZipStream's own complaint (a corrupt or truncated compressed stream), without the file's name.
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static int[] Header(Stream stream, int count, string path, string what)
    {
        try
        {
            return ReadHeader(stream, count);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{path}: truncated: the file ends inside {what}");
        }
    }
}
