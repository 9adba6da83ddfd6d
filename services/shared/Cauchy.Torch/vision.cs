// torchvision-style lower-case name: `vision.decode_image(bytes)` reads like `torchvision.io.decode_image`.
#pragma warning disable CS8981

namespace Cauchy.Torch;

/// <summary>
/// Image operations for the data pipeline, done by OpenCV inside the native shim. Images are HWC tensors (uint8,
/// or float32 for resize), channels in OpenCV's BGR order as decoded; convert with <see cref="cvt_color"/>.
/// Undecodable data and bad shapes raise <see cref="TorchException"/>, never crash the process.
/// </summary>
public static class vision
{
    /// <summary>Decodes PNG/JPEG/BMP/... bytes to a uint8 [H, W, C] tensor (C = 3 BGR for Color, 1 for Grayscale).</summary>
    public static unsafe Tensor decode_image(ReadOnlySpan<byte> data, ImageReadMode mode = ImageReadMode.Color)
    {
        fixed (byte* bytes = data)
        {
            NativeMethods.Check(NativeMethods.cauchy_vision_decode(bytes, data.Length, (int)mode, out TensorHandle result));
            return new Tensor(result);
        }
    }

    /// <summary>Reads and decodes an image file; the error names the file.</summary>
    public static Tensor read_image(string path, ImageReadMode mode = ImageReadMode.Color)
    {
        byte[] data = File.ReadAllBytes(path);
        try
        {
            return decode_image(data, mode);
        }
        catch (TorchException e)
        {
            throw new TorchException($"{path}: {e.Message}", e.Status);
        }
    }

    /// <summary>Encodes a uint8 [H, W] or [H, W, C] image (BGR order) in the format of <paramref name="extension"/> (".png", ".jpg").</summary>
    public static byte[] encode_image(Tensor image, string extension = ".png")
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(extension);
        NativeMethods.Check(NativeMethods.cauchy_vision_encode(image.Handle, extension, out TensorHandle result));
        using var encoded = new Tensor(result);
        return encoded.ToArray<byte>();
    }

    /// <summary>Resizes a [H, W] or [H, W, C] uint8/float32 image to <paramref name="height"/> x <paramref name="width"/>.</summary>
    public static Tensor resize(Tensor image, int height, int width, Interpolation interpolation = Interpolation.Bilinear)
    {
        ArgumentNullException.ThrowIfNull(image);
        NativeMethods.Check(NativeMethods.cauchy_vision_resize(image.Handle, height, width, (int)interpolation, out TensorHandle result));
        return new Tensor(result);
    }

    /// <summary>Converts between BGR, RGB and grey; the result is always [H, W, C].</summary>
    public static Tensor cvt_color(Tensor image, ColorConversion conversion)
    {
        ArgumentNullException.ThrowIfNull(image);
        NativeMethods.Check(NativeMethods.cauchy_vision_cvt_color(image.Handle, (int)conversion, out TensorHandle result));
        return new Tensor(result);
    }

    /// <summary>uint8 [H, W, C] (or [H, W]) to float32 [C, H, W] in [0, 1], torchvision's ToTensor.</summary>
    public static Tensor to_chw_float(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        NativeMethods.Check(NativeMethods.cauchy_vision_to_chw_float(image.Handle, out TensorHandle result));
        return new Tensor(result);
    }
}
