namespace Cauchy.Torch;

/// <summary>How <see cref="vision.decode_image"/> maps the stored channels (values match native/vision.h).</summary>
public enum ImageReadMode
{
    /// <summary>Three channels in BGR order; grey images are expanded, alpha is dropped.</summary>
    Color = 0,

    /// <summary>One channel.</summary>
    Grayscale = 1,

    /// <summary>As stored, alpha included.</summary>
    Unchanged = 2,
}
