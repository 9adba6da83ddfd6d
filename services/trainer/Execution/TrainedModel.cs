using Cauchy.Torch;

namespace Cauchy.Trainer.Execution;

/// <summary>
/// The result of training: the model in memory (for the test evaluation), its weights saved as safetensors, the
/// step and epoch it ended at, and the metrics of its last epoch (train, and the validation split's when there is
/// one) that go with its registration. Owns the model.
/// </summary>
public sealed record TrainedModel(nn.Module<Tensor, Tensor> Model, string WeightsPath, long Step, int Epoch, IReadOnlyDictionary<string, double> Metrics) : IDisposable
{
    public void Dispose() => Model.Dispose();
}
