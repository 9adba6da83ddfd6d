namespace Cauchy.Torch;

/// <summary>Resize interpolation; the values are OpenCV's INTER_* codes.</summary>
public enum Interpolation
{
    Nearest = 0,
    Bilinear = 1,

    /// <summary>Pixel-area averaging, the right choice for shrinking.</summary>
    Area = 3,
}
