using System.Globalization;
using Cauchy.Domain.Architectures;
using Cauchy.Torch;
using Cauchy.Torch.Data;
using Cauchy.Torch.Models;
using Cauchy.Torch.Optimization;
using Cauchy.V1;
using Augmentation = Cauchy.Torch.Data.Augmentation;
using Optimizer = Cauchy.Torch.Optimization.Optimizer;

namespace Cauchy.Trainer.Execution;

/// <summary>
/// Turns a job's spec into the engine's objects: model options, optimizer, learning-rate schedule (always stepped per
/// optimizer step; epoch-based decays become step counts, so warm-up and decays share one clock from the start of
/// training) and the loader's augmentation. What the spec asks for and this trainer cannot do fails the job with a
/// message naming the field, not retried.
/// </summary>
public static class SpecTranslation
{
    public static ModelOptions ModelOptions(ModelSpec model, int numClasses, int inChannels)
    {
        foreach (string key in model.Options.Keys)
        {
            if (!ArchitectureCatalog.ModelOptionNames.Contains(key))
            {
                throw Bad($"spec.model.options.{key}", $"is not an option of {model.Architecture}; known: {string.Join(", ", ArchitectureCatalog.ModelOptionNames)}");
            }
        }

        bool smallStem = false;
        if (model.Options.TryGetValue("small_image_stem", out string? stem) && !bool.TryParse(stem, out smallStem))
        {
            throw Bad("spec.model.options.small_image_stem", $"is '{stem}'; expected true or false");
        }

        double? dropout = null;
        if (model.Options.TryGetValue("dropout", out string? text))
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || d is < 0 or >= 1)
            {
                throw Bad("spec.model.options.dropout", $"is '{text}'; expected a number in [0, 1)");
            }

            dropout = d;
        }

        return new ModelOptions { NumClasses = numClasses, InChannels = inChannels, SmallImageStem = smallStem, Dropout = dropout };
    }

    /// <summary>Hyperparameters this trainer cannot honour fail the job before any work.</summary>
    public static void CheckSupported(Hyperparameters h)
    {
        if (h.GradientClipNorm > 0)
        {
            throw Bad("spec.hyperparameters.gradient_clip_norm", "is not supported by this trainer yet (use 0)");
        }
    }

    public static Optimizer Optimizer(V1.Optimizer spec, IEnumerable<Tensor> parameters)
    {
        (double, double) betas = (spec.Beta1 > 0 ? spec.Beta1 : 0.9, spec.Beta2 > 0 ? spec.Beta2 : 0.999);
        double eps = spec.Epsilon > 0 ? spec.Epsilon : 1e-8;
        return spec.Kind switch
        {
            OptimizerKind.Sgd => optim.SGD(parameters, spec.LearningRate, momentum: spec.Momentum, weight_decay: spec.WeightDecay, nesterov: spec.Nesterov),
            OptimizerKind.Adam => optim.Adam(parameters, spec.LearningRate, betas, eps, spec.WeightDecay),
            OptimizerKind.Adamw => optim.AdamW(parameters, spec.LearningRate, betas, eps, spec.WeightDecay),
            _ => throw Bad("spec.hyperparameters.optimizer.kind", $"{spec.Kind} is not supported"),
        };
    }

    /// <summary>
    /// The schedule, stepped after every optimizer step; null for a constant rate without warm-up. It spans
    /// <paramref name="totalSteps"/> steps when training stops early (max_steps), else all the epochs.
    /// </summary>
    public static LRScheduler? Schedule(LrSchedule? spec, Optimizer optimizer, int stepsPerEpoch, int epochs, long? totalSteps = null)
    {
        spec ??= new LrSchedule();
        long total = totalSteps ?? (long)stepsPerEpoch * epochs;
        int warmup = (int)Math.Min(spec.WarmupSteps, Math.Max(0, total - 1));
        double gamma = spec.Gamma > 0 ? spec.Gamma : 0.1;

        // Decay points in steps from the start of training; SequentialLR starts the main schedule at the end of the
        // warm-up, so they are moved back by the warm-up's length.
        List<int> EpochMilestones(IEnumerable<int> epochMarks) =>
            [.. epochMarks.Select(e => (long)e * stepsPerEpoch - warmup).Where(s => s > 0 && s < total).Select(s => (int)s).Distinct().Order()];

        LRScheduler? main = spec.Kind switch
        {
            LrScheduleKind.Unspecified or LrScheduleKind.Constant => null,
            LrScheduleKind.Step => optim.lr_scheduler.MultiStepLR(optimizer,
                EpochMilestones(Enumerable.Range(1, Math.Max(0, epochs / Math.Max(1, spec.StepSizeEpochs))).Select(k => k * spec.StepSizeEpochs)), gamma),
            LrScheduleKind.Multistep => optim.lr_scheduler.MultiStepLR(optimizer, EpochMilestones(spec.MilestoneEpochs), gamma),
            LrScheduleKind.Cosine => optim.lr_scheduler.CosineAnnealingLR(optimizer, (int)Math.Max(1, total - warmup), spec.MinLearningRate),
            _ => throw Bad("spec.hyperparameters.lr_schedule.kind", $"{spec.Kind} is not supported"),
        };
        if (warmup <= 0)
        {
            return main;
        }

        double start = spec.WarmupStartFactor > 0 ? spec.WarmupStartFactor : 0.001;
        LRScheduler warm = optim.lr_scheduler.LinearLR(optimizer, start_factor: start, end_factor: 1.0, total_iters: warmup);
        return main is null ? warm : optim.lr_scheduler.SequentialLR(optimizer, [warm, main], [warmup]);
    }

    /// <summary>The training augmentation; <paramref name="mean"/>/<paramref name="std"/> are the train split's, used when normalize is set.</summary>
    public static Augmentation Augmentation(V1.Augmentation? spec, float[]? mean, float[]? std)
    {
        spec ??= new V1.Augmentation();
        const string a = "spec.hyperparameters.augmentation";
        if (spec.VerticalFlip || spec.RandomResizedCrop || spec.ColorJitter > 0 || spec.RotationDegrees > 0)
        {
            string which = spec.VerticalFlip ? "vertical_flip" : spec.RandomResizedCrop ? "random_resized_crop" : spec.ColorJitter > 0 ? "color_jitter" : "rotation_degrees";
            throw Bad($"{a}.{which}", "is not supported by this trainer yet (supported: horizontal_flip, random_crop, normalize)");
        }

        return new Augmentation
        {
            HorizontalFlip = spec.HorizontalFlip,
            CropPadding = spec.RandomCrop ? (spec.RandomCropPadding > 0 ? spec.RandomCropPadding : 4) : 0,
            Mean = spec.Normalize ? mean : null,
            Std = spec.Normalize ? std : null,
        };
    }

    private static JobFailedException Bad(string field, string problem) => new($"{field} {problem}", retryable: false);
}
