using Cauchy.V1;

namespace Cauchy.Datasets.Images;

/// <summary>
/// Checks that bytes are a complete, well-formed PNG or JPEG and reads its size, without a codec library: PNG chunk
/// CRCs and a full inflate of the image data (see <see cref="PngDecoder"/>), JPEG marker structure (SOI, a frame
/// header, scan data, EOI). That catches truncated and corrupted files, which is what import validation needs.
/// </summary>
public static class ImageProbe
{
    /// <summary>Probes an encoded image; a <see cref="CorruptImageException"/> says what is wrong with it.</summary>
    /// <param name="decodePixels">Also return the pixels (PNG only; JPEG pixels are never decoded).</param>
    public static ImageInfo Probe(ReadOnlySpan<byte> data, bool decodePixels)
    {
        if (PngDecoder.IsPng(data))
        {
            return PngDecoder.Decode(data, decodePixels);
        }
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return ProbeJpeg(data);
        }
        throw new CorruptImageException("not a PNG or JPEG file (unknown signature)");
    }

    private static ImageInfo ProbeJpeg(ReadOnlySpan<byte> data)
    {
        var position = 2;
        int width = 0, height = 0, channels = 0;
        var sawScan = false;
        while (true)
        {
            if (position + 2 > data.Length)
            {
                throw new CorruptImageException("JPEG ends before its end-of-image marker (truncated)");
            }
            if (data[position] != 0xFF)
            {
                throw new CorruptImageException($"JPEG marker expected at byte {position}");
            }
            var marker = data[position + 1];
            if (marker == 0xFF)
            {
                position++;
                continue;
            }
            if (marker == 0xD9)
            {
                break;
            }
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                position += 2;
                continue;
            }
            if (position + 4 > data.Length)
            {
                throw new CorruptImageException("JPEG ends inside a segment header (truncated)");
            }
            var length = (data[position + 2] << 8) | data[position + 3];
            if (length < 2 || position + 2 + length > data.Length)
            {
                throw new CorruptImageException($"JPEG segment 0x{marker:X2} at byte {position} runs past the end of the file (truncated)");
            }
            var segment = data.Slice(position + 4, length - 2);
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) are frame headers.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (segment.Length < 6)
                {
                    throw new CorruptImageException("JPEG frame header too short");
                }
                height = (segment[1] << 8) | segment[2];
                width = (segment[3] << 8) | segment[4];
                channels = segment[5];
            }
            position += 2 + length;
            if (marker == 0xDA)
            {
                if (width == 0)
                {
                    throw new CorruptImageException("JPEG scan before any frame header");
                }
                sawScan = true;
                position = SkipEntropyCodedData(data, position);
            }
        }

        if (!sawScan || width <= 0 || height <= 0 || channels is not (1 or 3 or 4))
        {
            throw new CorruptImageException($"JPEG has no usable frame (width {width}, height {height}, {channels} components, scan {(sawScan ? "present" : "missing")})");
        }
        return new ImageInfo(ImageEncoding.Jpeg, width, height, channels, null);
    }

    /// <summary>Moves past entropy-coded bytes to the next marker that is not a stuffed byte or a restart marker.</summary>
    private static int SkipEntropyCodedData(ReadOnlySpan<byte> data, int position)
    {
        while (position + 1 < data.Length)
        {
            if (data[position] == 0xFF)
            {
                var next = data[position + 1];
                if (next != 0x00 && next is not (>= 0xD0 and <= 0xD7) && next != 0xFF)
                {
                    return position;
                }
            }
            position++;
        }
        throw new CorruptImageException("JPEG scan data ends without an end-of-image marker (truncated)");
    }
}
