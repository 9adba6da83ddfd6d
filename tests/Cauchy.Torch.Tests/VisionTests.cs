using System.Buffers.Binary;
using System.IO.Compression;
using Xunit;

namespace Cauchy.Torch.Tests;

public class VisionTests
{
    // A 3x2 RGB image: row 0 red, green, blue; row 1 white, black, grey 100.
    private static readonly byte[] Rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 100, 100, 100];

    [Fact]
    public void DecodePng_FromAnIndependentEncoder_GivesBgrHwc()
    {
        using Tensor image = vision.decode_image(Png.Encode(Rgb, width: 3, height: 2, channels: 3));

        Assert.Equal([2L, 3L, 3L], image.shape);
        Assert.Equal(ScalarType.Byte, image.dtype);
        Assert.Equal(SwapRedBlue(Rgb), image.ToArray<byte>());
    }

    [Fact]
    public void DecodeGrayscale_And_ColourConversion_FollowOpenCvsWeights()
    {
        byte[] png = Png.Encode(Rgb, width: 3, height: 2, channels: 3);
        using Tensor grey = vision.decode_image(png, ImageReadMode.Grayscale);
        using Tensor bgr = vision.decode_image(png);
        using Tensor rgb = vision.cvt_color(bgr, ColorConversion.BgrToRgb);
        using Tensor viaRgb = vision.cvt_color(rgb, ColorConversion.RgbToGray);

        Assert.Equal([2L, 3L, 1L], grey.shape);
        Assert.Equal(Rgb, rgb.ToArray<byte>());
        // OpenCV's fixed-point Y = 0.299 R + 0.587 G + 0.114 B (weights scaled by 2^14, rounded).
        byte[] expected = Enumerable.Range(0, 6)
            .Select(i => (byte)(((Rgb[3 * i] * 4899) + (Rgb[(3 * i) + 1] * 9617) + (Rgb[(3 * i) + 2] * 1868) + (1 << 13)) >> 14)).ToArray();
        Assert.Equal(expected, viaRgb.ToArray<byte>());
        // The PNG decoder converts to grey itself (libpng's own rounding): within one level of OpenCV's.
        Assert.All(grey.ToArray<byte>().Zip(expected), p => Assert.InRange(p.First - p.Second, -1, 1));
    }

    [Fact]
    public void EncodeDecode_Png_IsLossless()
    {
        torch.manual_seed(5);
        using Tensor noise = torch.randn([6, 5, 3]);
        using Tensor scaled = (noise * 40.0) + 128.0;
        using Tensor pixels = scaled.relu().to(ScalarType.Byte);

        byte[] png = vision.encode_image(pixels, ".png");
        using Tensor decoded = vision.decode_image(png);

        Assert.Equal(pixels.ToArray<byte>(), decoded.ToArray<byte>());
    }

    [Fact]
    public void Jpeg_RoundTrip_StaysClose()
    {
        var flat = new byte[8 * 8 * 3];
        Array.Fill(flat, (byte)90);
        using Tensor image = torch.tensor(flat, [8, 8, 3]);

        using Tensor decoded = vision.decode_image(vision.encode_image(image, ".jpg"));

        Assert.All(decoded.ToArray<byte>(), v => Assert.InRange(v, 88, 92));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    public void UndecodableData_RaisesAClearError(string kind)
    {
        byte[] png = Png.Encode(Rgb, width: 3, height: 2, channels: 3);
        byte[] data = kind == "garbage" ? "definitely not an image"u8.ToArray() : png[..(png.Length / 2)];

        var error = Assert.Throws<TorchException>(() => vision.decode_image(data));

        Assert.Contains("could not decode", error.Message);
    }

    [Fact]
    public void ReadImage_ErrorNamesTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"cauchy-broken-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, [1, 2, 3]);
        try
        {
            var error = Assert.Throws<TorchException>(() => vision.read_image(path));
            Assert.Contains(path, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Resize_Nearest_Bilinear_Area()
    {
        using Tensor two = torch.tensor(new byte[] { 10, 20, 30, 40 }, [2, 2]);
        using Tensor nearest = vision.resize(two, 4, 4, Interpolation.Nearest);
        Assert.Equal([4L, 4L], nearest.shape);
        Assert.Equal(new byte[] { 10, 10, 20, 20, 10, 10, 20, 20, 30, 30, 40, 40, 30, 30, 40, 40 }, nearest.ToArray<byte>());

        // Half-pixel centres: a 1x2 row [0, 100] widened to 4 samples 0, 25, 75, 100.
        using Tensor row = torch.tensor(new float[] { 0, 100 }, [1, 2]);
        using Tensor bilinear = vision.resize(row, 1, 4, Interpolation.Bilinear);
        Assert.Equal([0f, 25f, 75f, 100f], bilinear.ToArray<float>());

        using Tensor area = vision.resize(nearest, 2, 2, Interpolation.Area);
        Assert.Equal(two.ToArray<byte>(), area.ToArray<byte>());
    }

    [Fact]
    public void ToChwFloat_TransposesAndScales()
    {
        using Tensor hwc = torch.tensor(new byte[] { 0, 51, 255, 102, 204, 153 }, [1, 2, 3]);

        using Tensor chw = vision.to_chw_float(hwc);

        Assert.Equal([3L, 1L, 2L], chw.shape);
        Assert.Equal(new[] { 0f, 102f, 51f, 204f, 255f, 153f }.Select(v => v / 255f), chw.ToArray<float>());
    }

    [Fact]
    public void BadImageTensors_AreRejectedWithTheirProblem()
    {
        using Tensor doubles = torch.zeros([2, 2], ScalarType.Float64);
        using Tensor fiveChannels = torch.zeros([2, 2, 5], ScalarType.Byte);
        using Tensor flat = torch.zeros([4], ScalarType.Byte);

        Assert.Contains("uint8 or float32", Assert.Throws<TorchException>(() => vision.resize(doubles, 3, 3)).Message);
        Assert.Contains("5 channels", Assert.Throws<TorchException>(() => vision.resize(fiveChannels, 3, 3)).Message);
        Assert.Contains("[H, W]", Assert.Throws<TorchException>(() => vision.cvt_color(flat, ColorConversion.BgrToRgb)).Message);
        Assert.Contains("at least 1x1", Assert.Throws<TorchException>(() => vision.resize(flat.reshape(2, 2), 0, 3)).Message);
    }

    [Fact]
    public void EncodedSamples_AreDecodedToRgbOnTheLoadersWorkers()
    {
        // Twelve 2x3 RGB images, each brightened by its index, stored as PNG bytes.
        byte[][] encoded = Enumerable.Range(0, 12)
            .Select(i => Png.Encode(Rgb.Select(v => (byte)Math.Min(255, v + i)).ToArray(), width: 3, height: 2, channels: 3)).ToArray();
        var loader = new Cauchy.Torch.Data.DataLoader<int>(
            Enumerable.Range(0, 12).ToArray(),
            i => Cauchy.Torch.Data.ImageSample.Decode(encoded[i], label: i),
            new Cauchy.Torch.Data.DataLoaderOptions { BatchSize = 4, Workers = 3, Seed = 1 });

        int seen = 0;
        foreach (Cauchy.Torch.Data.Batch batch in loader.Epoch(0))
        {
            using (batch)
            {
                Assert.Equal([4L, 3L, 2L, 3L], batch.images.shape);
                float[] images = batch.images.ToArray<float>();
                long[] labels = batch.labels.ToArray<long>();
                for (int n = 0; n < labels.Length; n++)
                {
                    byte[] expected = Rgb.Select(v => (byte)Math.Min(255, v + labels[n])).ToArray();
                    for (int c = 0; c < 3; c++)
                    {
                        for (int p = 0; p < 6; p++)
                        {
                            Assert.Equal(expected[(p * 3) + c] / 255f, images[(n * 18) + (c * 6) + p]);
                        }
                    }
                }

                seen += labels.Length;
            }
        }

        Assert.Equal(12, seen);
    }

    [Fact]
    public void DecodeSample_ResizesAndKeepsGrey()
    {
        byte[] png = Png.Encode(Enumerable.Repeat((byte)77, 16).ToArray(), width: 4, height: 4, channels: 1);

        Cauchy.Torch.Data.ImageSample sample = Cauchy.Torch.Data.ImageSample.Decode(png, label: 3, grayscale: true, height: 2, width: 2);

        Assert.Equal((2, 2, 1, 3L), (sample.Height, sample.Width, sample.Channels, sample.Label));
        Assert.All(sample.Pixels, v => Assert.Equal(77, v));
    }

    private static byte[] SwapRedBlue(byte[] rgb)
    {
        byte[] result = (byte[])rgb.Clone();
        for (int i = 0; i < result.Length; i += 3)
        {
            (result[i], result[i + 2]) = (result[i + 2], result[i]);
        }

        return result;
    }

    // A minimal PNG writer (8-bit, no filtering), independent of OpenCV, so decoding is checked against another encoder.
    private static class Png
    {
        private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
        {
            uint c = (uint)n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            return c;
        }).ToArray();

        public static byte[] Encode(byte[] pixels, int width, int height, int channels)
        {
            using var output = new MemoryStream();
            output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
            var ihdr = new byte[13];
            BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
            BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
            ihdr[8] = 8;
            ihdr[9] = channels == 3 ? (byte)2 : (byte)0;
            Chunk(output, "IHDR", ihdr);
            using var raw = new MemoryStream();
            using (var zlib = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            {
                for (int y = 0; y < height; y++)
                {
                    zlib.WriteByte(0);
                    zlib.Write(pixels, y * width * channels, width * channels);
                }
            }

            Chunk(output, "IDAT", raw.ToArray());
            Chunk(output, "IEND", []);
            return output.ToArray();
        }

        private static void Chunk(Stream output, string type, byte[] data)
        {
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
            output.Write(length);
            byte[] typeAndData = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
            output.Write(typeAndData);
            uint crc = 0xFFFFFFFFu;
            foreach (byte b in typeAndData)
            {
                crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
            }

            BinaryPrimitives.WriteUInt32BigEndian(length, crc ^ 0xFFFFFFFFu);
            output.Write(length);
        }
    }
}
