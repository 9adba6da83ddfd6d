using Cauchy.Datasets.Images;
using Cauchy.Domain;
using Cauchy.V1;

namespace Cauchy.Metrics.Segmentation;

/// <summary>The class ids of a <see cref="SegmentationMask"/>, one byte per pixel, row-major.</summary>
public sealed record MaskPixels(int Width, int Height, byte[] Values)
{
    /// <summary>The largest mask accepted, in pixels (as the PNG decoder's limit).</summary>
    public const long MaxPixels = 1L << 28;

    /// <summary>
    /// Decodes a RAW (or unspecified) or PNG mask. A PNG mask's width and height may be left 0 (its own are taken);
    /// given, they must be the PNG's. Throws an INVALID_ARGUMENT <see cref="DomainException"/> naming <paramref name="field"/>.
    /// </summary>
    public static MaskPixels Read(SegmentationMask? mask, string field)
    {
        if (mask is null)
        {
            throw DomainException.InvalidArgument(field, "is required");
        }

        switch (mask.Encoding)
        {
            case ImageEncoding.Unspecified or ImageEncoding.Raw:
                if (mask.Width <= 0 || mask.Height <= 0 || (long)mask.Width * mask.Height > MaxPixels)
                {
                    throw DomainException.InvalidArgument(field, $"a RAW mask needs a width and height of at least 1 and at most {MaxPixels} pixels, got {mask.Width}×{mask.Height}");
                }

                if (mask.Data.Length != (long)mask.Width * mask.Height)
                {
                    throw DomainException.InvalidArgument($"{field}.data", $"holds {mask.Data.Length} bytes, but a {mask.Width}×{mask.Height} mask has {(long)mask.Width * mask.Height} pixels");
                }

                return new MaskPixels(mask.Width, mask.Height, mask.Data.ToByteArray());
            case ImageEncoding.Png:
                ImageInfo image;
                try
                {
                    image = PngDecoder.DecodeIndices(mask.Data.Span);
                }
                catch (CorruptImageException ex)
                {
                    throw DomainException.InvalidArgument($"{field}.data", $"does not decode as a mask: {ex.Message}");
                }

                if ((mask.Width != 0 || mask.Height != 0) && (mask.Width != image.Width || mask.Height != image.Height))
                {
                    throw DomainException.InvalidArgument(field, $"the message says {mask.Width}×{mask.Height} but the PNG is {image.Width}×{image.Height}");
                }

                return new MaskPixels(image.Width, image.Height, image.Pixels!);
            default:
                throw DomainException.InvalidArgument($"{field}.encoding", $"must be RAW or PNG (masks hold exact class ids), got {mask.Encoding}");
        }
    }
}
