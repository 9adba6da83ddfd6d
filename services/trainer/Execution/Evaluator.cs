using System.Threading.Channels;
using Cauchy.Torch;
using Cauchy.Torch.Data;
using Cauchy.Trainer.Inputs;
using Cauchy.Trainer.Worker;
using Cauchy.V1;
using Microsoft.Extensions.Options;

namespace Cauchy.Trainer.Execution;

/// <summary>
/// Runs a model over a split in eval mode, without gradients, and hands the predictions, batch by batch, to the
/// job's asynchronous side, which streams them to the metrics service. Runs on a thread that may block on libtorch.
/// </summary>
public sealed class Evaluator(IOptions<WorkerOptions> options, DeviceProbe device)
{
    private static readonly Device Cpu = new(DeviceType.CPU, -1);

    /// <summary>Writes <see cref="EvaluationStarted"/>, the <see cref="PredictionsComputed"/> and <see cref="EvaluationComputed"/>.</summary>
    public void Evaluate(JobAttempt attempt, PreparedData data, nn.Module<Tensor, Tensor> model, SplitData split, int epoch, ModelVersionRef? version,
        ChannelWriter<TrainingEvent> events, CancellationToken ct)
    {
        var header = new EvaluationHeader
        {
            Kind = data.Task.EvaluationKind,
            JobId = attempt.Job.Id,
            DatasetVersion = attempt.Spec.Dataset,
            Split = split.Split,
            Epoch = epoch,
        };
        header.ClassNames.AddRange(data.ClassNames);
        data.Task.DescribeEvaluation(header, data.ClassNames);
        if (version is not null)
        {
            header.ModelVersion = version;
        }

        Post(events, new EvaluationStarted(header));
        var loader = new DataLoader<Sample>(split.Samples, sample => data.Task.ToBatchElement(sample, data.Format), new DataLoaderOptions
        {
            BatchSize = options.Value.EvaluationBatch,
            Shuffle = false,
            Workers = options.Value.LoaderWorkers,
            Augmentation = data.Augmentation.WithoutRandomness(),
        });
        bool wasTraining = model.training;
        model.eval();
        double lossSum = 0;
        int offset = 0;
        try
        {
            using GradModeScope noGrad = torch.no_grad();
            foreach (Batch batch in loader.Epoch(0))
            {
                using (batch)
                using (torch.NewDisposeScope())
                {
                    ct.ThrowIfCancellationRequested();
                    Tensor outputs = model.call(batch.images.to(device.Device)).to(Cpu);
                    int count = (int)batch.images.shape[0];
                    string[] ids = [.. Enumerable.Range(offset, count).Select(i => split.Samples[i].Id)];
                    (PredictionBatch predictions, double batchLoss) = data.Task.Predictions(outputs, batch, ids);
                    lossSum += batchLoss;
                    offset += count;
                    Post(events, new PredictionsComputed(predictions));
                }
            }
        }
        finally
        {
            if (wasTraining)
            {
                model.train();
            }
        }

        Post(events, new EvaluationComputed(split.Split, epoch, offset > 0 ? lossSum / offset : double.NaN, offset));
    }

    /// <summary>Hands an event over; the channel is unbounded, so this never waits.</summary>
    public static void Post(ChannelWriter<TrainingEvent> events, TrainingEvent e)
    {
        if (!events.TryWrite(e))
        {
            throw new InvalidOperationException("the job's event channel was closed while training still wrote to it");
        }
    }
}
