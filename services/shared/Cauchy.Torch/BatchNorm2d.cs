// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>
    /// Batch normalisation over (N, C, H, W) with learned scale (weight, init 1) and shift (bias, init 0), and
    /// running statistics (buffers running_mean, running_var, num_batches_tracked) that training updates with
    /// <see cref="momentum"/> (null: a cumulative average) and evaluation normalises with.
    /// </summary>
    public sealed class BatchNorm2d : Module<Tensor, Tensor>
    {
        public BatchNorm2d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true)
        {
            if (num_features <= 0)
            {
                throw new ArgumentException($"BatchNorm2d needs a positive number of features, got {num_features}", nameof(num_features));
            }

            this.num_features = num_features;
            this.eps = eps;
            this.momentum = momentum;
            this.affine = affine;
            this.track_running_stats = track_running_stats;
            if (affine)
            {
                using Tensor w = torch.ones([num_features]);
                using Tensor b = torch.zeros([num_features]);
                weight = new Parameter(w);
                bias = new Parameter(b);
            }

            register_parameter("weight", weight);
            register_parameter("bias", bias);
            if (track_running_stats)
            {
                running_mean = torch.zeros([num_features]);
                running_var = torch.ones([num_features]);
                num_batches_tracked = torch.zeros([], ScalarType.Int64);
            }

            register_buffer("running_mean", running_mean);
            register_buffer("running_var", running_var);
            register_buffer("num_batches_tracked", num_batches_tracked);
        }

        public Parameter? weight { get; }

        public Parameter? bias { get; }

        public Tensor? running_mean { get; }

        public Tensor? running_var { get; }

        public Tensor? num_batches_tracked { get; }

        public long num_features { get; }

        public double eps { get; }

        public double? momentum { get; }

        public bool affine { get; }

        public bool track_running_stats { get; }

        public void reset_running_stats()
        {
            running_mean?.zero_();
            running_var?.fill_(1);
            num_batches_tracked?.zero_();
        }

        public void reset_parameters()
        {
            reset_running_stats();
            if (weight is not null && bias is not null)
            {
                init.ones_(weight);
                init.zeros_(bias);
            }
        }

        public override Tensor forward(Tensor input) =>
            functional.BatchNorm(input, weight, bias, running_mean, running_var, num_batches_tracked, training, momentum, eps);
    }
}
