using System.Runtime.InteropServices;

namespace Cauchy.Torch;

// P/Invokes of native/optim.h: optimizer steps and state, in-place copies, generator state.
internal static partial class NativeMethods
{
    [LibraryImport(Library)]
    internal static partial int cauchy_optim_new(int algorithm, int slots, out OptimizerHandle result);

    [LibraryImport(Library)]
    internal static partial void cauchy_optim_free(nint optimizer);

    [LibraryImport(Library)]
    internal static partial int cauchy_optim_set_slots(OptimizerHandle optimizer, int slots);

    [LibraryImport(Library)]
    internal static partial int cauchy_optim_step(OptimizerHandle optimizer, nint[] parameters, int count, OptimGroup[] groups, int groupCount);

    [LibraryImport(Library)]
    internal static partial int cauchy_optim_zero_grad(nint[] parameters, int count, int setToNone);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int cauchy_optim_state_get(OptimizerHandle optimizer, int slot, string name, out TensorHandle result);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int cauchy_optim_state_set(OptimizerHandle optimizer, int slot, string name, nint value, nint like);

    [LibraryImport(Library)]
    internal static partial int cauchy_optim_copy_(TensorHandle destination, TensorHandle source);

    [LibraryImport(Library)]
    internal static partial int cauchy_optim_get_rng_state(int deviceType, int index, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_optim_set_rng_state(int deviceType, int index, TensorHandle state);

    // Mirrors cauchy_optim_group field for field.
    [StructLayout(LayoutKind.Sequential)]
    internal struct OptimGroup
    {
        public double Lr;
        public double Momentum;
        public double Dampening;
        public double WeightDecay;
        public double Beta1;
        public double Beta2;
        public double Eps;
        public int Nesterov;
        public int Amsgrad;
        public int Maximize;
        public int Count;
    }
}
