using System.Globalization;

namespace Cauchy.Domain.Architectures;

/// <summary>An image size, height × width, as model.options.image_size writes it: <c>32</c> (square) or <c>32x48</c>.</summary>
public sealed record ImageSize(int Height, int Width)
{
    /// <summary>The smaller of the two sides: what an architecture's minimum input side is compared with.</summary>
    public int ShorterSide => Math.Min(Height, Width);

    public int LongerSide => Math.Max(Height, Width);

    /// <summary>Reads <c>32</c> or <c>32x48</c>, each side 1 to <see cref="ArchitectureShape.MaxInputSide"/>; null when <paramref name="text"/> is not such a size.</summary>
    public static ImageSize? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('x', StringSplitOptions.TrimEntries);
        return parts.Length is 1 or 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var height)
            && int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var width)
            && height is > 0 and <= ArchitectureShape.MaxInputSide && width is > 0 and <= ArchitectureShape.MaxInputSide
            ? new ImageSize(height, width)
            : null;
    }

    public override string ToString() => $"{Height}x{Width}";
}
