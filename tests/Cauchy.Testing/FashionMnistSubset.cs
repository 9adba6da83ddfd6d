using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;

namespace Cauchy.Testing;

/// <summary>
/// The first images of Fashion-MNIST (Debian's dataset-fashion-mnist) as a tar of four gzipped IDX files, the way a
/// user would upload a smaller copy of the dataset: the same headers with the counts changed, the same bytes.
/// </summary>
public static class FashionMnistSubset
{
    public const string Folder = "/usr/share/datasets/fashion-mnist";

    /// <summary>A tar holding train-* with <paramref name="train"/> images and t10k-* with <paramref name="test"/>.</summary>
    public static byte[] Tar(int train, int test)
    {
        if (!File.Exists(Path.Combine(Folder, "train-images-idx3-ubyte.gz")))
        {
            throw new InvalidOperationException($"{Folder} has no Fashion-MNIST: install the Debian package dataset-fashion-mnist (make deps).");
        }

        using var output = new MemoryStream();
        using (var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (prefix, count) in new[] { ("train", train), ("t10k", test) })
            {
                Add(tar, $"{prefix}-images-idx3-ubyte.gz", Head($"{prefix}-images-idx3-ubyte.gz", headerBytes: 16, itemBytes: 28 * 28, count));
                Add(tar, $"{prefix}-labels-idx1-ubyte.gz", Head($"{prefix}-labels-idx1-ubyte.gz", headerBytes: 8, itemBytes: 1, count));
            }
        }

        return output.ToArray();
    }

    /// <summary>The file's header with its item count set to <paramref name="count"/>, then its first items, gzipped.</summary>
    private static byte[] Head(string file, int headerBytes, int itemBytes, int count)
    {
        var idx = new byte[headerBytes + (itemBytes * count)];
        using (var gzip = new GZipStream(File.OpenRead(Path.Combine(Folder, file)), CompressionMode.Decompress))
        {
            gzip.ReadExactly(idx);
        }

        int available = BinaryPrimitives.ReadInt32BigEndian(idx.AsSpan(4));
        if (available < count)
        {
            throw new InvalidOperationException($"{file} holds {available} items, fewer than the {count} asked for.");
        }

        BinaryPrimitives.WriteInt32BigEndian(idx.AsSpan(4), count);
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(idx);
        }

        return compressed.ToArray();
    }

    private static void Add(TarWriter tar, string name, byte[] data)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) };
        tar.WriteEntry(entry);
    }
}
