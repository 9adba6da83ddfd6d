namespace Cauchy.Torch;

/// <summary>Where a tensor lives; the values are libtorch's c10::DeviceType codes.</summary>
public enum DeviceType
{
    CPU = 0,
    CUDA = 1,
}
