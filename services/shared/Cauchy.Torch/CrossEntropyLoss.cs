// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>The module form of <see cref="functional.cross_entropy"/>; class weights are a buffer, as in PyTorch.</summary>
    public sealed class CrossEntropyLoss : Module<Tensor, Tensor, Tensor>
    {
        public CrossEntropyLoss(Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean, double label_smoothing = 0.0)
        {
            if (label_smoothing < 0 || label_smoothing > 1)
            {
                throw new ArgumentOutOfRangeException(nameof(label_smoothing), label_smoothing, "label_smoothing must be between 0.0 and 1.0");
            }

            this.weight = weight?.NewHandle();
            this.ignore_index = ignore_index;
            this.reduction = reduction;
            this.label_smoothing = label_smoothing;
            register_buffer("weight", this.weight);
        }

        public Tensor? weight { get; }

        public long ignore_index { get; }

        public Reduction reduction { get; }

        public double label_smoothing { get; }

        public override Tensor forward(Tensor input, Tensor target) =>
            functional.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing);
    }
}
