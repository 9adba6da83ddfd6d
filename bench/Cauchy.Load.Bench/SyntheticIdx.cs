using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;

namespace Cauchy.Load.Bench;

/// <summary>
/// A small classification archive in Fashion-MNIST's layout (a tar of four gzipped IDX files) with random 28x28
/// images, so the bench needs no dataset on disk: what it measures is the platform, not what the model learns.
/// </summary>
public static class SyntheticIdx
{
    public static byte[] Tar(int train, int test, int seed)
    {
        var random = new Random(seed);
        using var output = new MemoryStream();
        using (var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (prefix, count) in new[] { ("train", train), ("t10k", test) })
            {
                var images = new byte[16 + (count * 28 * 28)];
                BinaryPrimitives.WriteInt32BigEndian(images, 0x00000803);
                BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), count);
                BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), 28);
                BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), 28);
                random.NextBytes(images.AsSpan(16));
                var labels = new byte[8 + count];
                BinaryPrimitives.WriteInt32BigEndian(labels, 0x00000801);
                BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), count);
                for (int i = 0; i < count; i++)
                {
                    labels[8 + i] = (byte)(i % 10);
                }

                Add(tar, $"{prefix}-images-idx3-ubyte.gz", images);
                Add(tar, $"{prefix}-labels-idx1-ubyte.gz", labels);
            }
        }

        return output.ToArray();
    }

    private static void Add(TarWriter tar, string name, byte[] data)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        compressed.Position = 0;
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = compressed });
    }
}
