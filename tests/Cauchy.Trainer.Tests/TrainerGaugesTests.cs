using System.Text;
using Cauchy.Trainer.Telemetry;
using Cauchy.Trainer.Worker;
using Cauchy.V1;
using Prometheus;
using Xunit;

namespace Cauchy.Trainer.Tests;

/// <summary><see cref="TrainerGauges"/> as a scrape of the trainer's registry sees them, while a job runs and after.</summary>
public sealed class TrainerGaugesTests
{
    private const string Labels = "{dataset=\"fashion\",job_id=\"job-7\",model=\"resnet18\"}";

    [Fact]
    public async Task RunningJob_IsExportedWithItsLabels_AndItsSeriesEndWhenItFinishes()
    {
        var board = new WorkerStatusBoard("worker-1", TimeProvider.System);
        CollectorRegistry registry = Prometheus.Metrics.NewCustomRegistry();
        _ = new TrainerGauges(board, registry, Prometheus.Metrics.WithCustomRegistry(registry));
        RunningJob job = board.Start(new Job
        {
            Id = "job-7",
            Spec = new JobSpec
            {
                Model = new ModelSpec { Architecture = "resnet18" },
                Dataset = new DatasetVersionRef { DatasetId = "fashion" },
                Hyperparameters = new Hyperparameters { Epochs = 2 },
            },
        });
        job.TrainLoss = 0.25;
        job.Progress.Epoch = 1;
        job.Progress.Step = 40;

        string running = await ScrapeAsync(registry);
        Assert.Contains("cauchy_trainer_busy 1\n", running);
        Assert.Contains("cauchy_trainer_draining 0\n", running);
        Assert.Contains($"cauchy_trainer_train_loss{Labels} 0.25\n", running);
        Assert.Contains($"cauchy_trainer_epoch{Labels} 1\n", running);
        Assert.Contains($"cauchy_trainer_step{Labels} 40\n", running);
        Assert.DoesNotContain("cauchy_trainer_learning_rate{", running); // not reported yet

        board.Finish();
        board.Drain(releaseCurrentJob: false);

        string idle = await ScrapeAsync(registry);
        Assert.Contains("cauchy_trainer_busy 0\n", idle);
        Assert.Contains("cauchy_trainer_draining 1\n", idle);
        Assert.DoesNotContain("job_id=", idle);
    }

    private static async Task<string> ScrapeAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
