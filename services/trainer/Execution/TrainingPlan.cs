using Cauchy.V1;

namespace Cauchy.Trainer.Execution;

/// <summary>
/// How long a job trains: <see cref="TotalSteps"/> optimizer steps, the spec's epochs or fewer when
/// <c>hyperparameters.max_steps</c> ends training first; <see cref="Epochs"/> counts the epoch that step falls in.
/// </summary>
public sealed record TrainingPlan(int StepsPerEpoch, int Epochs, long TotalSteps)
{
    public static TrainingPlan For(Hyperparameters hyperparameters, int stepsPerEpoch)
    {
        long full = (long)stepsPerEpoch * hyperparameters.Epochs;
        if (!hyperparameters.HasMaxSteps || hyperparameters.MaxSteps >= full || stepsPerEpoch == 0)
        {
            return new TrainingPlan(stepsPerEpoch, hyperparameters.Epochs, full);
        }

        long total = hyperparameters.MaxSteps;
        return new TrainingPlan(stepsPerEpoch, (int)((total + stepsPerEpoch - 1) / stepsPerEpoch), total);
    }

    /// <summary>True when training stops inside an epoch rather than at the end of the spec's last one.</summary>
    public bool EndsEarly(Hyperparameters hyperparameters) => TotalSteps < (long)StepsPerEpoch * hyperparameters.Epochs;
}
