using Cauchy.V1;

namespace Cauchy.Datasets.Images;

/// <summary>
/// What probing an encoded image found: its encoding and dimensions, and, when the probe could decode the pixels
/// (PNG, RAW), their 8-bit samples (row-major, channels interleaved) for statistics and masks.
/// </summary>
public sealed record ImageInfo(ImageEncoding Encoding, int Width, int Height, int Channels, byte[]? Pixels);
