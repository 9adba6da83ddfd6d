using System.Buffers;

namespace Cauchy.Torch.Data;

// Turns a batch's images into one [B, C, H, W] float tensor on a worker thread: crop, flip, scale, normalise in a
// single pass per pixel, straight into the array the tensor then views without a copy.
internal static class BatchBuilder
{
    internal static Batch Build(IReadOnlyList<ImageSample> images, Augmentation augmentation, DeterministicRandom random, int epoch, int index)
    {
        ImageSample first = images[0];
        int c = first.Channels, h = first.Height, w = first.Width;
        float[]? mean = augmentation.Mean;
        float[]? std = augmentation.Std;
        if ((mean is null) != (std is null))
        {
            throw new ArgumentException("normalisation needs both Mean and Std");
        }

        if (mean is not null && (mean.Length != c || std!.Length != c))
        {
            throw new ArgumentException($"normalisation has {mean.Length} means and {std!.Length} deviations for {c}-channel images");
        }

        int plane = h * w;
        // Rented, not allocated: a batch's pixels are hundreds of KiB (the large-object heap), and a fresh array per
        // step would keep the GC busy. The tensor hands the array back to the pool when libtorch frees it.
        float[] pixels = ArrayPool<float>.Shared.Rent(images.Count * c * plane);
        try
        {
            Fill(pixels, images, augmentation, random, epoch, index);
        }
        catch
        {
            ArrayPool<float>.Shared.Return(pixels);
            throw;
        }

        long[] labels = new long[images.Count];
        for (int n = 0; n < images.Count; n++)
        {
            labels[n] = images[n].Label;
        }

        Tensor imageTensor = torch.from_pooled_array(pixels, [images.Count, c, h, w], ArrayPool<float>.Shared).DetachFromDisposeScope();
        Tensor labelTensor = torch.from_array(labels).DetachFromDisposeScope();
        return new Batch(imageTensor, labelTensor, epoch, index);
    }

    // Crop, flip, scale and normalise every image into its [C, H, W] slot of pixels.
    private static void Fill(float[] pixels, IReadOnlyList<ImageSample> images, Augmentation augmentation, DeterministicRandom random, int epoch, int index)
    {
        ImageSample first = images[0];
        int c = first.Channels, h = first.Height, w = first.Width;
        int plane = h * w;
        float[]? mean = augmentation.Mean;
        float[]? std = augmentation.Std;
        int pad = augmentation.CropPadding;
        for (int n = 0; n < images.Count; n++)
        {
            ImageSample image = images[n];
            image.Validate($"batch {index} of epoch {epoch}, image {n}");
            if (image.Channels != c || image.Height != h || image.Width != w)
            {
                throw new InvalidDataException(
                    $"batch {index} of epoch {epoch}: image {n} is {image.Height}x{image.Width}x{image.Channels}, the first is {h}x{w}x{c}; resize images to one size first");
            }

            // Fixed draw order per image: crop offsets, then the flip.
            int dy = 0, dx = 0;
            if (pad > 0)
            {
                dy = random.NextInt((2 * pad) + 1) - pad;
                dx = random.NextInt((2 * pad) + 1) - pad;
            }

            bool flip = augmentation.HorizontalFlip && random.NextBool();
            byte[] source = image.Pixels;
            int baseOffset = n * c * plane;
            for (int y = 0; y < h; y++)
            {
                int sy = y + dy;
                for (int x = 0; x < w; x++)
                {
                    int cx = flip ? w - 1 - x : x;
                    int sx = cx + dx;
                    bool inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
                    for (int ch = 0; ch < c; ch++)
                    {
                        float value = inside ? source[(((sy * w) + sx) * c) + ch] / 255f : 0f;
                        if (mean is not null)
                        {
                            value = (value - mean[ch]) / std![ch];
                        }

                        pixels[baseOffset + (ch * plane) + (y * w) + x] = value;
                    }
                }
            }
        }
    }
}
