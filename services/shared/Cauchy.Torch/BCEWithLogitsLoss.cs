// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>The module form of <see cref="functional.binary_cross_entropy_with_logits"/>; weight and pos_weight are buffers, as in PyTorch.</summary>
    public sealed class BCEWithLogitsLoss : Module<Tensor, Tensor, Tensor>
    {
        public BCEWithLogitsLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? pos_weight = null)
        {
            this.weight = weight?.NewHandle();
            this.pos_weight = pos_weight?.NewHandle();
            this.reduction = reduction;
            register_buffer("weight", this.weight);
            register_buffer("pos_weight", this.pos_weight);
        }

        public Tensor? weight { get; }

        public Tensor? pos_weight { get; }

        public Reduction reduction { get; }

        public override Tensor forward(Tensor input, Tensor target) =>
            functional.binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weight);
    }
}
