namespace Cauchy.Torch.Data;

/// <summary>One labelled image as the loader consumes it: uint8 pixels in HWC order (what decoding and IDX files give).</summary>
public sealed record ImageSample(byte[] Pixels, int Height, int Width, int Channels, long Label)
{
    /// <summary>
    /// Decodes a PNG/JPEG/... image with OpenCV (through the shim), optionally resizes it (area interpolation when
    /// shrinking, bilinear when enlarging), and returns RGB (or grey) pixels, torchvision's channel order. Meant for
    /// the loader's <c>toImage</c>, so decoding runs on its workers. Undecodable data raises <see cref="TorchException"/>.
    /// </summary>
    public static ImageSample Decode(ReadOnlySpan<byte> encoded, long label, bool grayscale = false, int? height = null, int? width = null)
    {
        if ((height is null) != (width is null))
        {
            throw new ArgumentException("give both height and width, or neither");
        }

        using var scope = torch.NewDisposeScope();
        Tensor image = vision.decode_image(encoded, grayscale ? ImageReadMode.Grayscale : ImageReadMode.Color);
        long[] shape = image.shape;
        if (height is int h && width is int w && (shape[0] != h || shape[1] != w))
        {
            Interpolation interpolation = h < shape[0] && w < shape[1] ? Interpolation.Area : Interpolation.Bilinear;
            image = vision.resize(image, h, w, interpolation);
            shape = image.shape;
        }

        if (!grayscale)
        {
            image = vision.cvt_color(image, ColorConversion.BgrToRgb);
        }

        return new ImageSample(image.ToArray<byte>(), (int)shape[0], (int)shape[1], (int)shape[2], label);
    }

    internal void Validate(string where)
    {
        if (Height < 1 || Width < 1 || Channels < 1 || Pixels is null || Pixels.Length != (long)Height * Width * Channels)
        {
            throw new InvalidDataException(
                $"{where}: an image of {Height}x{Width}x{Channels} needs {(long)Height * Width * Channels} pixel bytes, it has {Pixels?.Length ?? 0}");
        }
    }
}
