using System.Buffers.Binary;
using System.IO.Compression;

namespace Cauchy.Torch.Data;

/// <summary>
/// Reads unsigned-byte IDX files (the MNIST/Fashion-MNIST format), plain or gzip-compressed (".gz"): a big-endian
/// magic 0x0000080N (type 0x08 = ubyte, N dimensions), N big-endian 32-bit sizes, then the bytes. Errors name the file.
/// </summary>
public static class IdxFile
{
    /// <summary>Reads the whole file: the dimension sizes and the data, checked to be exactly their product.</summary>
    public static (int[] Shape, byte[] Data) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX file {path} does not exist", path);
        }

        using Stream file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            Span<byte> header = stackalloc byte[4];
            ReadExactly(stream, header, path, "the magic number");
            if (header[0] != 0 || header[1] != 0 || header[2] != 0x08 || header[3] is < 1 or > 4)
            {
                throw new InvalidDataException(
                    $"{path}: not an unsigned-byte IDX file (magic {Convert.ToHexString(header)}, expected 000008 followed by 1 to 4 dimensions)");
            }

            var shape = new int[header[3]];
            long count = 1;
            for (int i = 0; i < shape.Length; i++)
            {
                ReadExactly(stream, header, path, $"the size of dimension {i}");
                uint size = BinaryPrimitives.ReadUInt32BigEndian(header);
                if (size > int.MaxValue)
                {
                    throw new InvalidDataException($"{path}: dimension {i} has size {size}");
                }

                shape[i] = (int)size;
                count *= size;
            }

            if (count > Array.MaxLength)
            {
                throw new InvalidDataException($"{path}: {string.Join('x', shape)} bytes is more than this reader holds in memory");
            }

            var data = new byte[count];
            ReadExactly(stream, data, path, $"{count} data bytes for shape {string.Join('x', shape)}");
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

    /// <summary>
    /// Reads an images file (n × rows × cols) and its labels file (n) into grey <see cref="ImageSample"/>s, in file order.
    /// </summary>
    public static ImageSample[] ReadImages(string imagesPath, string labelsPath)
    {
        (int[] imageShape, byte[] pixels) = Read(imagesPath);
        (int[] labelShape, byte[] labels) = Read(labelsPath);
        if (imageShape.Length != 3)
        {
            throw new InvalidDataException($"{imagesPath}: images need 3 dimensions (n, rows, cols), the file has {imageShape.Length}");
        }

        if (labelShape.Length != 1 || labelShape[0] != imageShape[0])
        {
            throw new InvalidDataException(
                $"{labelsPath}: {string.Join('x', labelShape)} labels do not match the {imageShape[0]} images of {imagesPath}");
        }

        int rows = imageShape[1], cols = imageShape[2], size = rows * cols;
        var samples = new ImageSample[imageShape[0]];
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = new ImageSample(pixels.AsSpan(i * size, size).ToArray(), rows, cols, 1, labels[i]);
        }

        return samples;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path, string what)
    {
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
        {
            throw new InvalidDataException($"{path}: truncated: the file ends after {read} of the {buffer.Length} bytes of {what}");
        }
    }
}
