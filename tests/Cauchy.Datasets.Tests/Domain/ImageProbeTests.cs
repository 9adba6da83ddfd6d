using Cauchy.Datasets.Images;
using Cauchy.Datasets.Tests.Support;
using Cauchy.V1;

namespace Cauchy.Datasets.Tests.Domain;

public sealed class ImageProbeTests
{
    private static byte[] Jpeg() => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", "small.jpg"));

    [Fact]
    public void Crc32_matches_the_standard_check_value_and_the_bitwise_reference()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        var data = Enumerable.Range(0, 1000).Select(i => (byte)(i * 31 % 251)).ToArray();
        Assert.Equal(PngWriter.BitwiseCrc32(data), Crc32.Compute(data));
        Assert.Equal(PngWriter.BitwiseCrc32(data), Crc32.Append(Crc32.Compute(data.AsSpan(0, 333)), data.AsSpan(333)));
    }

    [Fact]
    public void Png_pixels_decode_to_what_was_encoded()
    {
        var image = Shapes.Generate(1, seed: 3)[0];
        var info = ImageProbe.Probe(image.Png(), decodePixels: true);
        Assert.Equal((ImageEncoding.Png, 64, 48, 3), (info.Encoding, info.Width, info.Height, info.Channels));
        Assert.Equal(image.Rgb, info.Pixels);

        var mask = PngDecoder.DecodeIndices(image.MaskPng());
        Assert.Equal(image.Mask, mask.Pixels);
    }

    [Fact]
    public void Palette_png_gives_colours_as_an_image_and_indices_as_a_mask()
    {
        byte[] indices = [0, 1, 2, 1, 0, 2];
        var png = PngWriter.Palette(3, 2, indices, [0, 0, 0, 255, 0, 0, 0, 255, 0]);
        Assert.Equal(indices, PngDecoder.DecodeIndices(png).Pixels);
        var rgb = ImageProbe.Probe(png, decodePixels: true);
        Assert.Equal(3, rgb.Channels);
        Assert.Equal(new byte[] { 255, 0, 0 }, rgb.Pixels![3..6]);
    }

    [Fact]
    public void Truncated_png_is_corrupt()
    {
        var png = Shapes.Generate(1, seed: 4)[0].Png();
        var error = Assert.Throws<CorruptImageException>(() => ImageProbe.Probe(png.AsSpan(0, png.Length - 20), decodePixels: false));
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Png_with_a_changed_data_byte_fails_its_chunk_crc()
    {
        var png = Shapes.Generate(1, seed: 5)[0].Png();
        png[60] ^= 0x40;
        var error = Assert.Throws<CorruptImageException>(() => ImageProbe.Probe(png, decodePixels: false));
        Assert.Contains("CRC", error.Message);
    }

    [Fact]
    public void Png_whose_image_data_is_short_is_corrupt_even_with_valid_crcs()
    {
        // A valid PNG of 64x48 whose header is then rewritten to claim 64x96: every CRC is recomputed, only the
        // inflate can tell that the data is missing.
        var image = Shapes.Generate(1, seed: 6)[0];
        var png = image.Png();
        var tall = PngWriter.Rgb(64, 96, [.. image.Rgb, .. image.Rgb]);
        var spliced = tall[..33].Concat(png[33..]).ToArray();
        var error = Assert.Throws<CorruptImageException>(() => ImageProbe.Probe(spliced, decodePixels: false));
        Assert.Contains("inflates", error.Message);
    }

    [Fact]
    public void Jpeg_size_comes_from_its_frame_header()
    {
        var info = ImageProbe.Probe(Jpeg(), decodePixels: true);
        Assert.Equal((ImageEncoding.Jpeg, 40, 30, 3), (info.Encoding, info.Width, info.Height, info.Channels));
        Assert.Null(info.Pixels);
    }

    [Fact]
    public void Truncated_jpeg_and_unknown_bytes_are_corrupt()
    {
        var jpeg = Jpeg();
        Assert.Throws<CorruptImageException>(() => ImageProbe.Probe(jpeg.AsSpan(0, jpeg.Length / 2), decodePixels: false));
        Assert.Throws<CorruptImageException>(() => ImageProbe.Probe(jpeg.AsSpan(0, jpeg.Length - 2), decodePixels: false));
        Assert.Throws<CorruptImageException>(() => ImageProbe.Probe("GIF89a......"u8, decodePixels: false));
    }
}
