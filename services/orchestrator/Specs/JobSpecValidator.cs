using System.Text.RegularExpressions;
using Cauchy.Domain;
using Cauchy.V1;

namespace Cauchy.Orchestrator.Specs;

/// <summary>
/// Checks a <see cref="JobSpec"/> (structured or bound from a hypes document) and reports every problem, each
/// naming its field, e.g. <c>spec.hyperparameters.optimizer.learning_rate: must be &gt; 0, got 0</c>.
/// Existence of the dataset and pretrained version is checked by the submit path, against their services.
/// </summary>
public static partial class JobSpecValidator
{
    public const int MaxEpochs = 100_000;
    public const int MaxBatchSize = 65_536;
    public const int MaxRetriesLimit = 100;

    /// <summary>All problems of <paramref name="spec"/>; empty when it is valid.</summary>
    public static IReadOnlyList<HypesException> Validate(JobSpec spec, IReadOnlyDictionary<string, int>? lines = null)
    {
        var problems = new List<HypesException>();
        void Fail(string path, string problem)
        {
            // Point at the line of the field, or of the nearest enclosing field that the document gave.
            int? line = null;
            for (var p = path; lines is not null && line is null && p.Length > 0; p = Parent(p))
            {
                if (lines.TryGetValue(p, out var l))
                {
                    line = l;
                }
            }

            problems.Add(new HypesException(path, line, problem));
        }

        if (spec.TaskType == TaskType.Unspecified)
        {
            Fail("spec.task_type", "is required (classification, detection or segmentation)");
        }

        if (spec.DisplayName.Length > TextLimits.DisplayName)
        {
            Fail("spec.display_name", $"has {spec.DisplayName.Length} characters; at most {TextLimits.DisplayName} are accepted");
        }

        if (spec.Model is not { } model)
        {
            Fail("spec.model", "is required (at least model.architecture)");
        }
        else
        {
            if (model.Architecture.Length == 0)
            {
                Fail("spec.model.architecture", "is required, e.g. small_cnn or resnet18");
            }
            else if (!NamePattern().IsMatch(model.Architecture))
            {
                Fail("spec.model.architecture", $"'{model.Architecture}' is not an architecture name (lowercase letters, digits, '_', '.', '-')");
            }

            if (model.Pretrained is { } pretrained && (pretrained.ModelName.Length == 0 || pretrained.Version < 1))
            {
                Fail("spec.model.pretrained", "needs model_name and a version ≥ 1");
            }

            ModelOptionsValidator.Validate(model, Fail);
        }

        if (spec.Dataset is not { } dataset || dataset.DatasetId.Length == 0)
        {
            Fail("spec.dataset.dataset_id", "is required");
        }

        if (spec.Hyperparameters is not { } hypes)
        {
            Fail("spec.hyperparameters", "is required (at least epochs, batch_size and optimizer)");
        }
        else
        {
            ValidateHyperparameters(hypes, spec.TaskType, Fail);
        }

        if (spec.Resources is { } resources)
        {
            if (resources.Gpus < 0)
            {
                Fail("spec.resources.gpus", $"must not be negative, got {resources.Gpus}");
            }

            if (resources.Gpus > 0 && resources.Device == DeviceKind.Cpu)
            {
                Fail("spec.resources.device", $"is cpu but gpus is {resources.Gpus}; ask for device cuda or no GPUs");
            }

            if (resources.MemoryBytes < 0)
            {
                Fail("spec.resources.memory_bytes", "must not be negative");
            }

            if (resources.GpuMemoryBytes < 0)
            {
                Fail("spec.resources.gpu_memory_bytes", "must not be negative");
            }
        }

        if (spec.Priority is < -100 or > 100)
        {
            Fail("spec.priority", $"must be between -100 and 100, got {spec.Priority}");
        }

        if (spec.HasMaxRetries && spec.MaxRetries is < 0 or > MaxRetriesLimit)
        {
            Fail("spec.max_retries", $"must be between 0 and {MaxRetriesLimit}, got {spec.MaxRetries}");
        }

        if (spec.CheckpointEverySteps < 0)
        {
            Fail("spec.checkpoint_every_steps", $"must not be negative, got {spec.CheckpointEverySteps}");
        }

        if (spec.OutputModelName.Length > 0 && !Names.IsValid(spec.OutputModelName))
        {
            Fail("spec.output_model_name", $"'{spec.OutputModelName}' is not a model name (the registry's rule: {Names.Rule})");
        }

        if (spec.MaxRunDuration is { } limit && limit.ToTimeSpan() < TimeSpan.Zero)
        {
            Fail("spec.max_run_duration", "must not be negative");
        }

        if (spec.Labels.Count > TextLimits.LabelCount)
        {
            Fail("spec.labels", $"has {spec.Labels.Count} labels; at most {TextLimits.LabelCount} are accepted");
        }

        foreach (var (key, value) in spec.Labels.Take(TextLimits.LabelCount + 1))
        {
            if (key.Length is 0 or > 63)
            {
                Fail($"spec.labels.{key[..Math.Min(key.Length, 63)]}", "label names must be 1 to 63 characters");
            }
            else if (value.Length > TextLimits.LabelValue)
            {
                Fail($"spec.labels.{key}", $"the value has {value.Length} characters; at most {TextLimits.LabelValue} are accepted");
            }
        }

        return problems;
    }

    private static void ValidateHyperparameters(Hyperparameters hypes, TaskType task, Action<string, string> fail)
    {
        const string h = "spec.hyperparameters";
        if (hypes.Epochs is <= 0 or > MaxEpochs)
        {
            fail($"{h}.epochs", $"must be between 1 and {MaxEpochs}, got {hypes.Epochs}");
        }

        if (hypes.BatchSize is <= 0 or > MaxBatchSize)
        {
            fail($"{h}.batch_size", $"must be between 1 and {MaxBatchSize}, got {hypes.BatchSize}");
        }

        if (hypes.HasMaxSteps && hypes.MaxSteps <= 0)
        {
            fail($"{h}.max_steps", $"must be a positive number of optimizer steps, got {hypes.MaxSteps}");
        }

        if (hypes.GradientClipNorm < 0)
        {
            fail($"{h}.gradient_clip_norm", $"must not be negative, got {hypes.GradientClipNorm}");
        }

        if (hypes.LabelSmoothing is < 0 or >= 1)
        {
            fail($"{h}.label_smoothing", $"must be in [0, 1), got {hypes.LabelSmoothing}");
        }
        else if (hypes.LabelSmoothing > 0 && task is not (TaskType.Classification or TaskType.Unspecified))
        {
            fail($"{h}.label_smoothing", "applies to classification only");
        }

        if (hypes.Optimizer is not { } optimizer)
        {
            fail($"{h}.optimizer", "is required (at least kind and learning_rate)");
        }
        else
        {
            const string o = h + ".optimizer";
            var adam = optimizer.Kind is OptimizerKind.Adam or OptimizerKind.Adamw;
            if (optimizer.Kind == OptimizerKind.Unspecified)
            {
                fail($"{o}.kind", "is required (sgd, adam or adamw)");
            }

            if (!(optimizer.LearningRate > 0))
            {
                fail($"{o}.learning_rate", $"must be > 0, got {optimizer.LearningRate}");
            }

            if (optimizer.Momentum is < 0 or >= 1)
            {
                fail($"{o}.momentum", $"must be in [0, 1), got {optimizer.Momentum}");
            }
            else if (optimizer.Momentum > 0 && optimizer.Kind != OptimizerKind.Sgd)
            {
                fail($"{o}.momentum", "applies to sgd only; adam and adamw use beta1");
            }

            if (optimizer.Nesterov && (optimizer.Kind != OptimizerKind.Sgd || optimizer.Momentum <= 0))
            {
                fail($"{o}.nesterov", "needs kind sgd and momentum > 0");
            }

            if (optimizer.WeightDecay < 0)
            {
                fail($"{o}.weight_decay", $"must not be negative, got {optimizer.WeightDecay}");
            }

            foreach (var (name, value) in new[] { ("beta1", optimizer.Beta1), ("beta2", optimizer.Beta2) })
            {
                if (value is < 0 or >= 1)
                {
                    fail($"{o}.{name}", $"must be in [0, 1), got {value}");
                }
                else if (value > 0 && !adam)
                {
                    fail($"{o}.{name}", "applies to adam and adamw only");
                }
            }

            if (optimizer.Epsilon < 0)
            {
                fail($"{o}.epsilon", $"must not be negative, got {optimizer.Epsilon}");
            }
        }

        if (hypes.LrSchedule is { } schedule)
        {
            const string s = h + ".lr_schedule";
            switch (schedule.Kind)
            {
                case LrScheduleKind.Step when schedule.StepSizeEpochs <= 0:
                    fail($"{s}.step_size_epochs", $"must be > 0 for a step schedule, got {schedule.StepSizeEpochs}");
                    break;
                case LrScheduleKind.Multistep when schedule.MilestoneEpochs.Count == 0:
                    fail($"{s}.milestone_epochs", "must list at least one epoch for a multistep schedule");
                    break;
                case LrScheduleKind.Multistep:
                    for (var i = 0; i < schedule.MilestoneEpochs.Count; i++)
                    {
                        var epoch = schedule.MilestoneEpochs[i];
                        if (epoch < 1 || (hypes.Epochs > 0 && epoch > hypes.Epochs) || (i > 0 && epoch <= schedule.MilestoneEpochs[i - 1]))
                        {
                            fail($"{s}.milestone_epochs[{i}]", $"milestones must increase and lie within 1..{hypes.Epochs}, got {epoch}");
                        }
                    }

                    break;
                case LrScheduleKind.Cosine when schedule.MinLearningRate < 0 || (hypes.Optimizer is { } opt && schedule.MinLearningRate >= opt.LearningRate && opt.LearningRate > 0):
                    fail($"{s}.min_learning_rate", $"must be ≥ 0 and below the learning rate, got {schedule.MinLearningRate}");
                    break;
            }

            if (schedule.Gamma is < 0 or > 1)
            {
                fail($"{s}.gamma", $"must be in (0, 1], got {schedule.Gamma}");
            }

            if (schedule.WarmupSteps < 0)
            {
                fail($"{s}.warmup_steps", $"must not be negative, got {schedule.WarmupSteps}");
            }

            if (schedule.WarmupStartFactor is < 0 or > 1)
            {
                fail($"{s}.warmup_start_factor", $"must be in [0, 1], got {schedule.WarmupStartFactor}");
            }
        }

        if (hypes.Augmentation is { } augmentation)
        {
            const string a = h + ".augmentation";
            if (augmentation.RandomCropPadding < 0)
            {
                fail($"{a}.random_crop_padding", $"must not be negative, got {augmentation.RandomCropPadding}");
            }

            if (augmentation.RandomResizedCrop && task is TaskType.Detection or TaskType.Segmentation)
            {
                fail($"{a}.random_resized_crop", "applies to classification only");
            }

            if (augmentation.RandomResizedCropMinScale is < 0 or > 1)
            {
                fail($"{a}.random_resized_crop_min_scale", $"must be in (0, 1], got {augmentation.RandomResizedCropMinScale}");
            }

            if (augmentation.ColorJitter is < 0 or > 1)
            {
                fail($"{a}.color_jitter", $"must be in [0, 1], got {augmentation.ColorJitter}");
            }

            if (augmentation.RotationDegrees is < 0 or > 180)
            {
                fail($"{a}.rotation_degrees", $"must be in [0, 180], got {augmentation.RotationDegrees}");
            }
        }
    }

    private static string Parent(string path) =>
        path.EndsWith(']') ? path[..path.LastIndexOf('[')] : path.Contains('.') ? path[..path.LastIndexOf('.')] : "";

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]*$")]
    private static partial Regex NamePattern();
}
