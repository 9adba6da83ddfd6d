using Cauchy.Trainer.Inputs;
using Cauchy.Trainer.Tasks;
using Cauchy.V1;
using Augmentation = Cauchy.Torch.Data.Augmentation;

namespace Cauchy.Trainer.Execution;

/// <summary>
/// What the first step of a job leaves for training: the task component, the splits in memory, the input format and
/// augmentation, the plan, and the local paths of a checkpoint to resume from or pretrained weights to start from.
/// </summary>
/// <param name="Evaluation">The split evaluated each epoch: validation, else test (then named <c>test/*</c>), else none.</param>
/// <param name="Test">The split the registered version is evaluated on: test, else validation, else none.</param>
public sealed record PreparedData(
    ITrainingTask Task,
    IReadOnlyList<string> ClassNames,
    SplitData Train,
    SplitData? Evaluation,
    SplitData? Test,
    InputFormat Format,
    Augmentation Augmentation,
    TrainingPlan Plan,
    string? ResumePath,
    string? PretrainedPath)
{
    /// <summary>
    /// True when the split evaluated each epoch is the one the registered version is tested on (no validation split):
    /// the last epoch then leaves its evaluation to the test step, so the same weights are not evaluated twice.
    /// </summary>
    public bool EpochsEvaluateTheTestSplit => Evaluation is not null && ReferenceEquals(Evaluation, Test);
}
