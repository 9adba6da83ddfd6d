using Cauchy.Torch;
using Cauchy.Trainer.Execution;
using Cauchy.Trainer.Inputs;
using Cauchy.V1;
using Google.Protobuf;
using Xunit;

namespace Cauchy.Trainer.Tests;

/// <summary>The model's input size and channels, and stored samples turned into its pixels.</summary>
public sealed class InputFormatTests
{
    private static readonly Dictionary<string, string> NoOptions = [];

    [Fact]
    public void The_common_size_of_grey_training_images_gives_one_channel()
    {
        var format = InputFormat.Decide([Raw(28, 28, 1, 3), Raw(28, 28, 1, 4)], NoOptions);
        Assert.Equal(new InputFormat(28, 28, 1), format);
    }

    [Fact]
    public void Images_of_different_sizes_need_image_size_and_the_error_says_so()
    {
        var error = Assert.Throws<JobFailedException>(() => InputFormat.Decide([Raw(28, 28, 1, 0), Raw(30, 20, 3, 0)], NoOptions));
        Assert.Contains("spec.model.options.image_size", error.Message);
        Assert.False(error.Retryable);

        var format = InputFormat.Decide([Raw(28, 28, 1, 0), Raw(30, 20, 3, 0)], new Dictionary<string, string> { ["image_size"] = "24x32" });
        Assert.Equal(new InputFormat(24, 32, 3), format);

        var bad = Assert.Throws<JobFailedException>(() => InputFormat.Decide([Raw(28, 28, 1, 0)], new Dictionary<string, string> { ["image_size"] = "big" }));
        Assert.Contains("'big'", bad.Message);
    }

    [Fact]
    public void Raw_pixels_of_the_right_shape_are_taken_as_they_are()
    {
        Sample sample = Raw(2, 3, 1, 7, [1, 2, 3, 4, 5, 6]);
        var image = new InputFormat(2, 3, 1).ToImage(sample);
        Assert.Equal([1, 2, 3, 4, 5, 6], image.Pixels);
        Assert.Equal(7, image.Label);
    }

    [Fact]
    public void Raw_rgb_pixels_become_grey_and_are_resized_to_the_model_input()
    {
        // A 4x4 RGB image, every pixel (90, 90, 90): grey 90 whatever the weights, also after resizing to 2x2.
        Sample sample = Raw(4, 4, 3, 1, Enumerable.Repeat((byte)90, 48).ToArray());
        var image = new InputFormat(2, 2, 1).ToImage(sample);
        Assert.Equal((2, 2, 1), (image.Height, image.Width, image.Channels));
        Assert.All(image.Pixels, p => Assert.Equal(90, p));
    }

    [Fact]
    public void Png_samples_are_decoded_and_resized()
    {
        byte[] png;
        using (Tensor pixels = torch.from_array(Enumerable.Range(0, 64).Select(i => (byte)(i * 4)).ToArray(), [8, 8, 1]))
        {
            png = vision.encode_image(pixels, ".png");
        }

        var sample = new Sample { Id = "a.png", Image = ByteString.CopyFrom(png), ImageEncoding = ImageEncoding.Png, Width = 8, Height = 8, Channels = 1, ClassId = 2 };
        var same = new InputFormat(8, 8, 1).ToImage(sample);
        Assert.Equal(Enumerable.Range(0, 64).Select(i => (byte)(i * 4)), same.Pixels);

        var smaller = new InputFormat(4, 4, 1).ToImage(sample);
        Assert.Equal(16, smaller.Pixels.Length);
        Assert.True(smaller.Pixels[0] < smaller.Pixels[^1], "area resizing keeps the gradient's direction");
    }

    [Fact]
    public void A_sample_without_a_class_label_is_refused_by_id()
    {
        var sample = new Sample { Id = "img-9", Image = ByteString.CopyFrom(new byte[4]), ImageEncoding = ImageEncoding.Raw, Width = 2, Height = 2, Channels = 1 };
        var error = Assert.Throws<InvalidDataException>(() => new InputFormat(2, 2, 1).ToImage(sample));
        Assert.Contains("img-9", error.Message);
    }

    private static Sample Raw(int height, int width, int channels, int label, byte[]? pixels = null) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Image = ByteString.CopyFrom(pixels ?? new byte[height * width * channels]),
        ImageEncoding = ImageEncoding.Raw,
        Width = width,
        Height = height,
        Channels = channels,
        ClassId = label,
    };
}
