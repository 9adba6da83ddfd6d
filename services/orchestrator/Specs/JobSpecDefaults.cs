using Cauchy.V1;

namespace Cauchy.Orchestrator.Specs;

/// <summary>
/// Fills in the defaults that JobSpec's comments promise, so the stored spec says exactly what runs
/// (the resolved spec of <c>Job.spec</c>). Pinning the dataset version needs the datasets service and happens
/// in the submit path.
/// </summary>
public static class JobSpecDefaults
{
    public const int MaxRetries = 3;
    public const double StepGamma = 0.1;
    public const double Beta1 = 0.9;
    public const double Beta2 = 0.999;
    public const double Epsilon = 1e-8;
    public const double WarmupStartFactor = 0.001;
    public const double RandomResizedCropMinScale = 0.08;

    /// <summary>A copy of a valid <paramref name="spec"/> with every default made explicit.</summary>
    public static JobSpec Apply(JobSpec spec)
    {
        var resolved = spec.Clone();
        if (!resolved.HasMaxRetries)
        {
            resolved.MaxRetries = MaxRetries;
        }

        resolved.Resources ??= new ResourceRequirements();
        if (resolved.Resources.Device == DeviceKind.Unspecified)
        {
            resolved.Resources.Device = resolved.Resources.Gpus > 0 ? DeviceKind.Cuda : DeviceKind.Cpu;
        }

        if (resolved.OutputModelName.Length == 0)
        {
            resolved.OutputModelName = DefaultModelName(resolved.Dataset.DatasetId, resolved.Model.Architecture);
        }

        var hypes = resolved.Hyperparameters;
        var optimizer = hypes.Optimizer;
        if (optimizer.Kind is OptimizerKind.Adam or OptimizerKind.Adamw)
        {
            optimizer.Beta1 = optimizer.Beta1 == 0 ? Beta1 : optimizer.Beta1;
            optimizer.Beta2 = optimizer.Beta2 == 0 ? Beta2 : optimizer.Beta2;
            optimizer.Epsilon = optimizer.Epsilon == 0 ? Epsilon : optimizer.Epsilon;
        }

        hypes.LrSchedule ??= new LrSchedule();
        var schedule = hypes.LrSchedule;
        if (schedule.Kind == LrScheduleKind.Unspecified)
        {
            schedule.Kind = LrScheduleKind.Constant;
        }

        if (schedule.Kind is LrScheduleKind.Step or LrScheduleKind.Multistep && schedule.Gamma == 0)
        {
            schedule.Gamma = StepGamma;
        }

        if (schedule.WarmupSteps > 0 && schedule.WarmupStartFactor == 0)
        {
            schedule.WarmupStartFactor = WarmupStartFactor;
        }

        if (hypes.Augmentation is { RandomResizedCrop: true, RandomResizedCropMinScale: 0 } augmentation)
        {
            augmentation.RandomResizedCropMinScale = RandomResizedCropMinScale;
        }

        return resolved;
    }

    /// <summary>
    /// "&lt;dataset id&gt;-&lt;architecture&gt;" in the registry's alphabet: lowercase, every other character a '-',
    /// no doubled or trailing '-', at most 63 characters, starting with a letter ("m-" is put in front otherwise).
    /// </summary>
    public static string DefaultModelName(string datasetId, string architecture)
    {
        var name = new System.Text.StringBuilder();
        foreach (char c in $"{datasetId}-{architecture}".ToLowerInvariant())
        {
            bool ok = c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
            if (ok)
            {
                name.Append(c);
            }
            else if (name.Length > 0 && name[^1] != '-')
            {
                name.Append('-');
            }
        }

        string text = name.ToString();
        if (text.Length == 0 || text[0] is < 'a' or > 'z')
        {
            text = "m-" + text;
        }

        return text[..Math.Min(text.Length, 63)].TrimEnd('-');
    }
}
