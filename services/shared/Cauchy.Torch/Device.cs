namespace Cauchy.Torch;

/// <summary>A device as PyTorch prints it: "cpu" or "cuda:0".</summary>
public sealed record Device(DeviceType type, int index)
{
    public override string ToString()
    {
        string name = type.ToString().ToLowerInvariant();
        return index < 0 ? name : $"{name}:{index}";
    }
}
