using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Cauchy.Datasets.Tests.Support;

/// <summary>
/// A minimal PNG encoder for generated test images (8-bit grey, RGB or palette, no interlacing, filter 0), with its
/// own bit-by-bit CRC so that it shares no code with the decoder under test.
/// </summary>
public static class PngWriter
{
    public static byte[] Grey(int width, int height, byte[] pixels) => Encode(width, height, 0, 1, pixels, null);

    public static byte[] Rgb(int width, int height, byte[] pixels) => Encode(width, height, 2, 3, pixels, null);

    public static byte[] Palette(int width, int height, byte[] indices, byte[] palette) => Encode(width, height, 3, 1, indices, palette);

    private static byte[] Encode(int width, int height, byte colourType, int channels, byte[] pixels, byte[]? palette)
    {
        if (pixels.Length != width * height * channels)
        {
            throw new ArgumentException("pixel count does not match the size");
        }
        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = colourType;
        WriteChunk(output, "IHDR", header);
        if (palette is not null)
        {
            WriteChunk(output, "PLTE", palette);
        }
        using (var raw = new MemoryStream())
        {
            using (var zlib = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
            {
                for (var y = 0; y < height; y++)
                {
                    zlib.WriteByte(0);
                    zlib.Write(pixels, y * width * channels, width * channels);
                }
            }
            WriteChunk(output, "IDAT", raw.ToArray());
        }
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        output.Write(typeAndData);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, BitwiseCrc32(typeAndData));
        output.Write(crc);
    }

    public static uint BitwiseCrc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }
        return ~crc;
    }
}
