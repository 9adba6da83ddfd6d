namespace Cauchy.Torch;

/// <summary>Element types the binding supports; the values are libtorch's c10::ScalarType codes.</summary>
public enum ScalarType
{
    Byte = 0,
    Int64 = 4,
    Float32 = 6,
    Float64 = 7,
    Bool = 11,
}
