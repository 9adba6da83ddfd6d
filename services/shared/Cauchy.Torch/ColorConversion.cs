namespace Cauchy.Torch;

/// <summary>Colour conversions (values match native/vision.h).</summary>
public enum ColorConversion
{
    /// <summary>Swaps the first and third channels: BGR to RGB and RGB to BGR alike.</summary>
    BgrToRgb = 0,
    BgrToGray = 1,
    RgbToGray = 2,

    /// <summary>Grey to three equal channels (BGR or RGB alike).</summary>
    GrayToBgr = 3,
}
