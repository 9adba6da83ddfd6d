namespace Cauchy.Torch.Data;

/// <summary>One labelled image as the loader consumes it: uint8 pixels in HWC order (what decoding and IDX files give).</summary>
public sealed record ImageSample(byte[] Pixels, int Height, int Width, int Channels, long Label)
{
    internal void Validate(string where)
    {
        if (Height < 1 || Width < 1 || Channels < 1 || Pixels is null || Pixels.Length != (long)Height * Width * Channels)
        {
            throw new InvalidDataException(
                $"{where}: an image of {Height}x{Width}x{Channels} needs {(long)Height * Width * Channels} pixel bytes, it has {Pixels?.Length ?? 0}");
        }
    }
}
