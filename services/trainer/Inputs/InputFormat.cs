using Cauchy.Domain.Architectures;
using Cauchy.Torch;
using Cauchy.Torch.Data;
using Cauchy.Trainer.Execution;
using Cauchy.V1;

namespace Cauchy.Trainer.Inputs;

/// <summary>
/// The image size and channel count the model takes, and the conversion of stored samples to it. The size is
/// model.options.image_size ("32" or "32x48", height × width) when given, else the training images' common size;
/// images of other sizes are resized (area when shrinking, bilinear when enlarging). The model takes one channel
/// when every training image is grey, else three (grey images are expanded, alpha dropped).
/// </summary>
public sealed record InputFormat(int Height, int Width, int Channels)
{
    public static InputFormat Decide(IReadOnlyList<Sample> train, IReadOnlyDictionary<string, string> modelOptions)
    {
        if (train.Count == 0)
        {
            throw new JobFailedException("the dataset version's train split is empty", retryable: false);
        }

        int channels = train.All(s => s.Channels == 1) ? 1 : 3;
        if (modelOptions.TryGetValue(ArchitectureCatalog.ImageSizeOption, out string? size))
        {
            return ImageSize.Parse(size) is { } parsed
                ? new InputFormat(parsed.Height, parsed.Width, channels)
                : throw new JobFailedException($"spec.model.options.image_size is '{size}'; expected a size such as 32 or 32x48 (1 to {ArchitectureShape.MaxInputSide})", retryable: false);
        }

        Sample first = train[0];
        if (train.Any(s => s.Width != first.Width || s.Height != first.Height))
        {
            throw new JobFailedException(
                $"the training images have different sizes ({train.Min(s => s.Width)}–{train.Max(s => s.Width)} wide, " +
                $"{train.Min(s => s.Height)}–{train.Max(s => s.Height)} high); set spec.model.options.image_size", retryable: false);
        }

        return new InputFormat(first.Height, first.Width, channels);
    }

    /// <summary>The sample's pixels in this format (runs on the loader's workers).</summary>
    public ImageSample ToImage(Sample sample)
    {
        long label = sample.TargetCase == Sample.TargetOneofCase.ClassId
            ? sample.ClassId
            : throw new InvalidDataException($"sample {sample.Id} has no class label (a {sample.TargetCase} target)");
        if (sample.ImageEncoding is ImageEncoding.Png or ImageEncoding.Jpeg)
        {
            return ImageSample.Decode(sample.Image.Span, label, grayscale: Channels == 1, Height, Width);
        }

        if (sample.ImageEncoding != ImageEncoding.Raw)
        {
            throw new InvalidDataException($"sample {sample.Id}: image encoding {sample.ImageEncoding} is not supported");
        }

        byte[] pixels = sample.Image.ToByteArray();
        if (sample.Height == Height && sample.Width == Width && sample.Channels == Channels)
        {
            return new ImageSample(pixels, Height, Width, Channels, label);
        }

        using var scope = torch.NewDisposeScope();
        Tensor image = torch.from_array(pixels, [sample.Height, sample.Width, sample.Channels]);
        if (sample.Channels == 4)
        {
            image = image.narrow(2, 0, 3).contiguous();
        }

        if (image.shape[2] == 3 && Channels == 1)
        {
            image = vision.cvt_color(image, ColorConversion.RgbToGray);
        }
        else if (image.shape[2] == 1 && Channels == 3)
        {
            image = vision.cvt_color(image, ColorConversion.GrayToBgr); // grey to three equal channels: the order does not matter
        }

        if (image.shape[0] != Height || image.shape[1] != Width)
        {
            Interpolation interpolation = Height < image.shape[0] && Width < image.shape[1] ? Interpolation.Area : Interpolation.Bilinear;
            image = vision.resize(image, Height, Width, interpolation);
        }

        return new ImageSample(image.ToArray<byte>(), Height, Width, Channels, label);
    }
}
