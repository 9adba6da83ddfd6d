// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>How a loss reduces its per-element values (PyTorch's reduction='none'|'mean'|'sum'); the values are libtorch's codes.</summary>
    public enum Reduction
    {
        None = 0,
        Mean = 1,
        Sum = 2,
    }
}
