namespace Cauchy.Domain.Architectures;

/// <summary>
/// The spatial facts of one architecture of the trainers' model zoo, without the tensor engine: the layers that
/// shrink the image in order (convolutions and pools that keep the side, such as 3×3 with padding 1 and stride 1, are
/// left out), the side the classifier needs when it flattens a fixed-size feature map instead of pooling globally,
/// and the layers of the small-image stem when the architecture has one. The input sides it admits are computed from
/// these, not declared.
/// </summary>
public sealed record ArchitectureShape(
    string Name,
    IReadOnlyList<SpatialReduction> Reductions,
    int? FlattenedSide = null,
    IReadOnlyList<SpatialReduction>? SmallImageStemReductions = null)
{
    /// <summary>The largest image side a job may ask for (model.options.image_size); the trainer reads no larger.</summary>
    public const int MaxInputSide = 4096;

    public bool HasSmallImageStem => SmallImageStemReductions is not null;

    /// <summary>
    /// The smallest input side every layer has an output for (and, with <see cref="FlattenedSide"/>, the one the
    /// classifier's flattened size needs), and the largest side when the flattened size bounds it too (null: none).
    /// </summary>
    public InputSideRange InputSides(bool smallImageStem = false)
    {
        var reductions = smallImageStem && SmallImageStemReductions is { } stem ? stem : Reductions;
        int? min = null;
        int? max = null;
        for (var side = 1; side <= MaxInputSide; side++)
        {
            var output = OutputSide(reductions, side);
            var fits = FlattenedSide is { } flattened ? output == flattened : output >= 1;
            if (fits)
            {
                min ??= side;
                max = side;
            }
            else if (min is not null)
            {
                break;
            }
        }

        return min is { } lowest
            ? new InputSideRange(lowest, FlattenedSide is null ? null : max)
            : throw new InvalidOperationException($"{Name} admits no input side up to {MaxInputSide}");
    }

    private static int OutputSide(IReadOnlyList<SpatialReduction> reductions, int side)
    {
        foreach (var reduction in reductions)
        {
            side = side < 1 ? 0 : reduction.Apply(side);
        }

        return side;
    }
}
