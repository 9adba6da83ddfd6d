using System.Buffers.Binary;
using System.IO.Compression;
using Cauchy.V1;

namespace Cauchy.Datasets.Images;

/// <summary>
/// A small PNG reader: verifies the signature, every chunk's CRC, the header, and that the image data inflates
/// (zlib, with its Adler-32) to exactly the size the header implies, which catches truncated and corrupted files.
/// When asked, it also unfilters non-interlaced images into 8-bit samples: grey, RGB (palette images through their
/// palette) or RGBA; grey+alpha keeps the grey channel. Bit depths below 8 keep their values (mask class ids),
/// 16-bit samples keep their high byte.
/// </summary>
public static class PngDecoder
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static bool IsPng(ReadOnlySpan<byte> data) => data.Length >= 8 && data[..8].SequenceEqual(Signature);

    /// <summary>Decodes a PNG; <see cref="ImageInfo.Pixels"/> is set when <paramref name="decodePixels"/> and not interlaced.</summary>
    public static ImageInfo Decode(ReadOnlySpan<byte> data, bool decodePixels) => DecodeCore(data, decodePixels, indices: false);

    /// <summary>
    /// Decodes a single-channel PNG (grey or palette) into its raw sample values, one byte per pixel, as segmentation
    /// masks store class ids; a palette image gives its palette indices, not colours.
    /// </summary>
    public static ImageInfo DecodeIndices(ReadOnlySpan<byte> data) => DecodeCore(data, decodePixels: true, indices: true);

    private static ImageInfo DecodeCore(ReadOnlySpan<byte> data, bool decodePixels, bool indices)
    {
        if (!IsPng(data))
        {
            throw new CorruptImageException("not a PNG file (bad signature)");
        }

        var position = 8;
        int width = 0, height = 0, bitDepth = 0, colourType = 0, interlace = 0;
        byte[]? palette = null;
        var idat = new MemoryStream();
        var sawHeader = false;
        var sawEnd = false;
        while (!sawEnd)
        {
            if (position + 12 > data.Length)
            {
                throw new CorruptImageException("PNG ends before its IEND chunk (truncated)");
            }
            var length = BinaryPrimitives.ReadInt32BigEndian(data[position..]);
            if (length < 0 || position + 12L + length > data.Length)
            {
                throw new CorruptImageException($"PNG chunk at byte {position} runs past the end of the file (truncated)");
            }
            var typeAndData = data.Slice(position + 4, 4 + length);
            var storedCrc = BinaryPrimitives.ReadUInt32BigEndian(data[(position + 8 + length)..]);
            var type = System.Text.Encoding.ASCII.GetString(typeAndData[..4]);
            if (Crc32.Compute(typeAndData) != storedCrc)
            {
                throw new CorruptImageException($"PNG chunk {type} at byte {position} has a wrong CRC (corrupted)");
            }
            var body = typeAndData[4..];
            if (!sawHeader && type != "IHDR")
            {
                throw new CorruptImageException("PNG does not start with an IHDR chunk");
            }
            switch (type)
            {
                case "IHDR":
                    if (body.Length != 13)
                    {
                        throw new CorruptImageException("PNG IHDR chunk has the wrong length");
                    }
                    width = BinaryPrimitives.ReadInt32BigEndian(body);
                    height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                    bitDepth = body[8];
                    colourType = body[9];
                    interlace = body[12];
                    sawHeader = true;
                    break;
                case "PLTE":
                    palette = body.ToArray();
                    break;
                case "IDAT":
                    idat.Write(body);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
            }
            position += 12 + length;
        }

        var samplesPerPixel = colourType switch
        {
            0 => 1,
            2 => 3,
            3 => 1,
            4 => 2,
            6 => 4,
            _ => throw new CorruptImageException($"PNG colour type {colourType} is not defined"),
        };
        var depthValid = colourType switch
        {
            0 => bitDepth is 1 or 2 or 4 or 8 or 16,
            3 => bitDepth is 1 or 2 or 4 or 8,
            _ => bitDepth is 8 or 16,
        };
        if (width <= 0 || height <= 0 || !depthValid || interlace > 1)
        {
            throw new CorruptImageException($"PNG header is invalid ({width}x{height}, bit depth {bitDepth}, colour type {colourType}, interlace {interlace})");
        }
        if (colourType == 3 && palette is null)
        {
            throw new CorruptImageException("PNG palette image has no PLTE chunk");
        }
        if ((long)width * height > 1L << 28)
        {
            throw new CorruptImageException($"PNG of {width}x{height} pixels is larger than this service accepts");
        }

        var bitsPerPixel = samplesPerPixel * bitDepth;
        var expected = interlace == 0
            ? RawSize(width, height, bitsPerPixel)
            : Adam7Passes.Sum(p => RawSize(PassExtent(width, p.X0, p.Dx), PassExtent(height, p.Y0, p.Dy), bitsPerPixel));
        var raw = Inflate(idat, expected);
        var channels = colourType switch
        {
            0 or 4 => 1,
            2 => 3,
            3 => indices ? 1 : 3,
            _ => 4,
        };
        if (!decodePixels || interlace != 0)
        {
            if (indices)
            {
                throw new CorruptImageException("interlaced PNG masks are not supported; save the mask without interlacing");
            }
            return new ImageInfo(ImageEncoding.Png, width, height, channels, null);
        }
        if (indices && samplesPerPixel != 1)
        {
            throw new CorruptImageException($"mask PNG must be greyscale or palette (one channel), not colour type {colourType}");
        }

        var samples = Unfilter(raw, width, height, bitsPerPixel);
        var pixels = ToChannels(samples, width, height, samplesPerPixel, bitDepth, colourType, indices ? null : palette);
        return new ImageInfo(ImageEncoding.Png, width, height, channels, pixels);
    }

    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7Passes =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    private static int PassExtent(int size, int start, int step) => size <= start ? 0 : (size - start + step - 1) / step;

    private static long RawSize(int width, int height, int bitsPerPixel) =>
        width == 0 || height == 0 ? 0 : height * (1 + ((width * (long)bitsPerPixel + 7) / 8));

    private static byte[] Inflate(MemoryStream idat, long expected)
    {
        idat.Position = 0;
        var raw = new byte[expected];
        try
        {
            using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
            var filled = 0;
            int read;
            while (filled < raw.Length && (read = zlib.Read(raw, filled, raw.Length - filled)) > 0)
            {
                filled += read;
            }
            if (filled < raw.Length)
            {
                throw new CorruptImageException($"PNG image data inflates to {filled} of the {expected} bytes its header implies (truncated)");
            }
            // Reading past the expected size makes the stream check the zlib trailer (Adler-32) and finds surplus data.
            Span<byte> probe = stackalloc byte[1];
            if (zlib.Read(probe) > 0)
            {
                throw new CorruptImageException($"PNG image data inflates to more than the {expected} bytes its header implies");
            }
        }
        catch (InvalidDataException e)
        {
            throw new CorruptImageException($"PNG image data does not inflate ({e.Message})");
        }
        return raw;
    }

    private static byte[] Unfilter(byte[] raw, int width, int height, int bitsPerPixel)
    {
        var stride = (int)((width * (long)bitsPerPixel + 7) / 8);
        var bpp = Math.Max(1, bitsPerPixel / 8);
        var output = new byte[stride * height];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            var line = raw.AsSpan(y * (stride + 1) + 1, stride);
            var current = output.AsSpan(y * stride, stride);
            var previous = y == 0 ? Span<byte>.Empty : output.AsSpan((y - 1) * stride, stride);
            for (var i = 0; i < stride; i++)
            {
                int a = i >= bpp ? current[i - bpp] : 0;
                int b = previous.IsEmpty ? 0 : previous[i];
                int c = i >= bpp && !previous.IsEmpty ? previous[i - bpp] : 0;
                current[i] = filter switch
                {
                    0 => line[i],
                    1 => (byte)(line[i] + a),
                    2 => (byte)(line[i] + b),
                    3 => (byte)(line[i] + ((a + b) >> 1)),
                    4 => (byte)(line[i] + Paeth(a, b, c)),
                    _ => throw new CorruptImageException($"PNG row {y} has an unknown filter type {filter}"),
                };
            }
        }
        return output;
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static byte[] ToChannels(byte[] samples, int width, int height, int samplesPerPixel, int bitDepth, int colourType, byte[]? palette)
    {
        var stride = (int)((width * (long)samplesPerPixel * bitDepth + 7) / 8);
        var outChannels = colourType switch { 0 or 4 => 1, 2 => 3, 3 => palette is null ? 1 : 3, _ => 4 };
        var output = new byte[width * height * outChannels];
        var o = 0;
        for (var y = 0; y < height; y++)
        {
            var row = samples.AsSpan(y * stride, stride);
            for (var x = 0; x < width; x++)
            {
                if (bitDepth < 8)
                {
                    var bit = x * bitDepth;
                    var value = (row[bit / 8] >> (8 - bitDepth - (bit % 8))) & ((1 << bitDepth) - 1);
                    o = Emit(output, o, value, palette);
                    continue;
                }
                var bytesPerSample = bitDepth / 8;
                var start = x * samplesPerPixel * bytesPerSample;
                if (colourType == 3)
                {
                    o = Emit(output, o, row[start], palette);
                    continue;
                }
                var keep = colourType == 4 ? 1 : samplesPerPixel;
                for (var s = 0; s < keep; s++)
                {
                    output[o++] = row[start + (s * bytesPerSample)];
                }
            }
        }
        return output;
    }

    private static int Emit(byte[] output, int o, int value, byte[]? palette)
    {
        if (palette is null)
        {
            output[o++] = (byte)value;
            return o;
        }
        if (3 * value + 2 >= palette.Length)
        {
            throw new CorruptImageException($"PNG pixel uses palette entry {value}, past the palette's {palette.Length / 3} entries");
        }
        output[o++] = palette[3 * value];
        output[o++] = palette[(3 * value) + 1];
        output[o++] = palette[(3 * value) + 2];
        return o;
    }
}
