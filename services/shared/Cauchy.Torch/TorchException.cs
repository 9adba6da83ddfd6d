namespace Cauchy.Torch;

/// <summary>A libtorch error (shape or dtype mismatch, bad argument) raised by the native shim; the message is libtorch's.</summary>
public sealed class TorchException : Exception
{
    public TorchException(string message, int status)
        : base(message)
    {
        Status = status;
    }

    /// <summary>The shim's status code: 1 libtorch error, 2 other C++ exception, 3 invalid argument, 4 unknown.</summary>
    public int Status { get; }
}
