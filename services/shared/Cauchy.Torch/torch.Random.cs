// Lower-case on purpose, like torch.cs.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class torch
{
    /// <summary>The CPU generator's state as a uint8 tensor (PyTorch's <c>torch.get_rng_state()</c>), for checkpoints.</summary>
    public static Tensor get_rng_state() => get_rng_state(new Device(DeviceType.CPU, -1));

    /// <summary>The default generator's state of <paramref name="device"/> (a CUDA index of -1 means the current device).</summary>
    public static Tensor get_rng_state(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        NativeMethods.Check(NativeMethods.cauchy_optim_get_rng_state((int)device.type, device.index, out TensorHandle result));
        return new Tensor(result);
    }

    /// <summary>Restores the CPU generator from <see cref="get_rng_state()"/>, so random ops repeat exactly.</summary>
    public static void set_rng_state(Tensor state) => set_rng_state(state, new Device(DeviceType.CPU, -1));

    public static void set_rng_state(Tensor state, Device device)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(device);
        NativeMethods.Check(NativeMethods.cauchy_optim_set_rng_state((int)device.type, device.index, state.Handle));
    }
}
