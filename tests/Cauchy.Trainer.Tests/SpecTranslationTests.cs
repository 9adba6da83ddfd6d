using Cauchy.Torch;
using Cauchy.Torch.Optimization;
using Cauchy.Trainer.Execution;
using Cauchy.V1;
using Xunit;
using Optimizer = Cauchy.Torch.Optimization.Optimizer;

namespace Cauchy.Trainer.Tests;

/// <summary>How a job's spec becomes the engine's optimizer, schedule, model options and augmentation.</summary>
public sealed class SpecTranslationTests
{
    [Fact]
    public void A_step_schedule_decays_every_step_size_epochs_counted_in_steps_from_the_start_even_after_a_warmup()
    {
        // 3 steps per epoch, 6 epochs, decay ×0.1 every 2 epochs, warm-up over the first 2 steps from 0.5×.
        var spec = new LrSchedule { Kind = LrScheduleKind.Step, StepSizeEpochs = 2, Gamma = 0.1, WarmupSteps = 2, WarmupStartFactor = 0.5 };
        double[] lrs = Rates(spec, stepsPerEpoch: 3, epochs: 6);

        Assert.Equal(18, lrs.Length);
        Assert.Equal(0.5, lrs[0], 12);
        Assert.Equal(0.75, lrs[1], 12);
        Assert.All(lrs[2..6], lr => Assert.Equal(1.0, lr, 12));
        Assert.All(lrs[6..12], lr => Assert.Equal(0.1, lr, 12));
        Assert.All(lrs[12..18], lr => Assert.Equal(0.01, lr, 12));
    }

    [Fact]
    public void A_multistep_schedule_decays_after_the_listed_epochs()
    {
        var spec = new LrSchedule { Kind = LrScheduleKind.Multistep, MilestoneEpochs = { 1, 3 }, Gamma = 0.5 };
        double[] lrs = Rates(spec, stepsPerEpoch: 4, epochs: 4);

        Assert.All(lrs[0..4], lr => Assert.Equal(1.0, lr, 12));
        Assert.All(lrs[4..12], lr => Assert.Equal(0.5, lr, 12));
        Assert.All(lrs[12..16], lr => Assert.Equal(0.25, lr, 12));
    }

    [Fact]
    public void A_cosine_schedule_falls_from_the_base_rate_after_the_warmup_to_the_minimum_at_the_last_step()
    {
        var spec = new LrSchedule { Kind = LrScheduleKind.Cosine, MinLearningRate = 0.01, WarmupSteps = 10, WarmupStartFactor = 0.1 };
        double[] lrs = Rates(spec, stepsPerEpoch: 25, epochs: 4);

        Assert.Equal(0.1, lrs[0], 12);
        Assert.Equal(1.0, lrs[10], 12);
        for (int i = 11; i < lrs.Length; i++)
        {
            Assert.True(lrs[i] < lrs[i - 1], $"step {i}: {lrs[i]} is not below {lrs[i - 1]}");
        }

        // The step after the last would be the minimum: cosine over the 90 steps after the warm-up.
        double last = 0.01 + (1.0 - 0.01) * (1 + Math.Cos(Math.PI * 89 / 90)) / 2;
        Assert.Equal(last, lrs[^1], 9);
    }

    [Fact]
    public void No_schedule_and_no_warmup_is_a_constant_rate()
    {
        using var optimizer = NewOptimizer(out Tensor weight);
        using (weight)
        {
            Assert.Null(SpecTranslation.Schedule(null, optimizer, 10, 2));
            Assert.Null(SpecTranslation.Schedule(new LrSchedule { Kind = LrScheduleKind.Constant }, optimizer, 10, 2));
        }
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, "SGD")]
    [InlineData(OptimizerKind.Adam, "Adam")]
    [InlineData(OptimizerKind.Adamw, "AdamW")]
    public void The_optimizer_kind_picks_the_engine_optimizer(OptimizerKind kind, string expected)
    {
        using Tensor weight = torch.zeros([2]);
        weight.requires_grad = true;
        using Optimizer optimizer = SpecTranslation.Optimizer(new V1.Optimizer { Kind = kind, LearningRate = 0.01, Momentum = kind == OptimizerKind.Sgd ? 0.9 : 0 }, [weight]);
        Assert.Equal(expected, optimizer.GetType().Name);
        Assert.Equal(0.01, optimizer.param_groups[0].lr, 12);
    }

    [Fact]
    public void Model_options_come_from_the_spec_and_unknown_ones_fail_the_job_naming_them()
    {
        var spec = new ModelSpec { Architecture = "resnet18", Options = { ["small_image_stem"] = "true", ["dropout"] = "0.3", ["image_size"] = "32" } };
        var options = SpecTranslation.ModelOptions(spec, numClasses: 7, inChannels: 1);
        Assert.Equal(7, options.NumClasses);
        Assert.Equal(1, options.InChannels);
        Assert.True(options.SmallImageStem);
        Assert.Equal(0.3, options.Dropout);

        var unknown = Assert.Throws<JobFailedException>(() => SpecTranslation.ModelOptions(
            new ModelSpec { Architecture = "resnet18", Options = { ["widht"] = "64" } }, 10, 3));
        Assert.Contains("spec.model.options.widht", unknown.Message);
        Assert.False(unknown.Retryable);

        var badDropout = Assert.Throws<JobFailedException>(() => SpecTranslation.ModelOptions(
            new ModelSpec { Architecture = "small_cnn", Options = { ["dropout"] = "1.5" } }, 10, 1));
        Assert.Contains("spec.model.options.dropout", badDropout.Message);
    }

    [Fact]
    public void Augmentation_keeps_flip_crop_and_normalisation_and_refuses_what_the_loader_cannot_do()
    {
        var augmentation = SpecTranslation.Augmentation(
            new V1.Augmentation { HorizontalFlip = true, RandomCrop = true, Normalize = true }, [0.5f], [0.25f]);
        Assert.True(augmentation.HorizontalFlip);
        Assert.Equal(4, augmentation.CropPadding);
        Assert.Equal([0.5f], augmentation.Mean!);

        var plain = SpecTranslation.Augmentation(new V1.Augmentation { RandomCrop = true, RandomCropPadding = 2 }, [0.5f], [0.25f]);
        Assert.Equal(2, plain.CropPadding);
        Assert.Null(plain.Mean);

        var error = Assert.Throws<JobFailedException>(() => SpecTranslation.Augmentation(new V1.Augmentation { RotationDegrees = 10 }, null, null));
        Assert.Contains("spec.hyperparameters.augmentation.rotation_degrees", error.Message);
        var clip = Assert.Throws<JobFailedException>(() => SpecTranslation.CheckSupported(new Hyperparameters { GradientClipNorm = 1 }));
        Assert.Contains("spec.hyperparameters.gradient_clip_norm", clip.Message);
    }

    /// <summary>The rate each of the run's steps uses, stepping the schedule after every step as the trainer does.</summary>
    private static double[] Rates(LrSchedule spec, int stepsPerEpoch, int epochs)
    {
        using var optimizer = NewOptimizer(out Tensor weight);
        using (weight)
        {
            LRScheduler schedule = SpecTranslation.Schedule(spec, optimizer, stepsPerEpoch, epochs)!;
            var rates = new double[stepsPerEpoch * epochs];
            for (int i = 0; i < rates.Length; i++)
            {
                rates[i] = optimizer.param_groups[0].lr;
                schedule.step();
            }

            return rates;
        }
    }

    private static Optimizer NewOptimizer(out Tensor weight)
    {
        weight = torch.zeros([2]);
        weight.requires_grad = true;
        return optim.SGD([weight], lr: 1.0);
    }
}
