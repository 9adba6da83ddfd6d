using Cauchy.Torch.Data;
using Cauchy.Torch.Models;
using Xunit;

namespace Cauchy.Torch.Tests;

// The whole resume story with real zoo models: nn.Module state dicts (BatchNorm running statistics included), SGD
// with Nesterov momentum, a step schedule, the augmenting loader and label-smoothed cross-entropy. Training straight
// through must equal stopping at a checkpoint and resuming in fresh objects, loss for loss and weight for weight.
public sealed class TrainingResumeTests : IDisposable
{
    private const int StepsBefore = 3;
    private const int StepsAfter = 3;

    private readonly string _directory = Directory.CreateTempSubdirectory("cauchy-resume-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("small_cnn")]
    [InlineData("resnet18")]
    public void ZooModel_ResumedFromACheckpoint_ContinuesBitForBit(string architecture)
    {
        string path = Path.Combine(_directory, architecture + ".safetensors");
        ImageSample[] samples = Enumerable.Range(0, 20).Select(i => new ImageSample(
            Enumerable.Range(0, 28 * 28).Select(p => (byte)((p * (i + 3)) % 251)).ToArray(), 28, 28, 1, i % 10)).ToArray();

        (float[] straight, float[] weights) = Train(architecture, samples, path, resume: false);
        (float[] resumed, float[] resumedWeights) = Train(architecture, samples, path, resume: true);

        Assert.Equal(straight.Skip(StepsBefore), resumed);
        Assert.Equal(weights, resumedWeights);
    }

    private static (float[] Losses, float[] Weights) Train(string architecture, ImageSample[] samples, string path, bool resume)
    {
        torch.manual_seed(0);
        var model = ModelZoo.Create(architecture, new ModelOptions { NumClasses = 10, InChannels = 1, SmallImageStem = architecture.StartsWith("resnet", StringComparison.Ordinal) });
        using var optimizer = optim.SGD(model.parameters(), lr: 0.05, momentum: 0.9, weight_decay: 5e-4, nesterov: true);
        var scheduler = optim.lr_scheduler.StepLR(optimizer, step_size: 2, gamma: 0.5);
        var criterion = new nn.CrossEntropyLoss(label_smoothing: 0.1);
        var loader = new DataLoader<ImageSample>(samples, s => s, new DataLoaderOptions
        {
            BatchSize = 8,
            Seed = 5,
            Augmentation = new Augmentation { CropPadding = 2, HorizontalFlip = true, Mean = [0.5f], Std = [0.3f] },
        });

        var position = new LoaderPosition(0, 0);
        if (resume)
        {
            torch.manual_seed(99);  // the checkpoint's generator state must win over whatever happened meanwhile
            using TrainingCheckpoint checkpoint = TrainingCheckpoint.Load(path);
            model.load_state_dict(checkpoint.Model);
            checkpoint.Restore(optimizer, scheduler);
            position = checkpoint.Loader!;
        }

        var losses = new List<float>();
        int steps = resume ? StepsAfter : StepsBefore + StepsAfter;
        model.train();
        foreach (Batch batch in loader.From(position))
        {
            using (batch)
            using (torch.NewDisposeScope())
            {
                Tensor loss = criterion.call(model.call(batch.images), batch.labels);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                scheduler.step();
                losses.Add(loss.item<float>());
                if (!resume && losses.Count == StepsBefore)
                {
                    using TrainingCheckpoint checkpoint = TrainingCheckpoint.Capture(model.state_dict(), optimizer, scheduler, batch.Next);
                    checkpoint.Save(path);
                }
            }

            if (losses.Count == steps)
            {
                break;
            }
        }

        using (torch.NewDisposeScope())
        {
            float[] weights = model.state_dict().Values.Where(t => t.dtype == ScalarType.Float32).SelectMany(t => t.ToArray<float>()).ToArray();
            return (losses.ToArray(), weights);
        }
    }
}
