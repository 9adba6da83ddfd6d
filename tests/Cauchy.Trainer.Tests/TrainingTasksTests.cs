using Cauchy.Trainer.Execution;
using Cauchy.Trainer.Tasks;
using Cauchy.V1;
using Xunit;

namespace Cauchy.Trainer.Tests;

public sealed class TrainingTasksTests
{
    [Fact]
    public void A_job_task_type_picks_the_component_registered_under_its_hypes_name()
    {
        var tasks = new TrainingTasks([new ClassificationTask()]);

        ITrainingTask task = tasks.For(TaskType.Classification);

        Assert.IsType<ClassificationTask>(task);
        Assert.Equal("classification", task.Name);
        Assert.Equal(EvaluationKind.Classification, task.EvaluationKind);
        Assert.Equal(["loss", "accuracy", "top5_accuracy"], task.MetricNames);
    }

    [Fact]
    public void A_task_type_without_a_component_fails_the_job_naming_the_field_and_what_the_trainer_has()
    {
        var tasks = new TrainingTasks([new ClassificationTask()]);

        var error = Assert.Throws<JobFailedException>(() => tasks.For(TaskType.Segmentation));

        Assert.Equal("spec.task_type is segmentation; this trainer trains classification", error.Message);
        Assert.False(error.Retryable);
    }

    [Fact]
    public void An_evaluation_is_filed_under_the_name_of_the_split_it_was_computed_on()
    {
        var evaluation = new Evaluation { Classification = new ClassificationResult { Top1Accuracy = 0.75, Top5Accuracy = 0.95 } };
        IReadOnlyDictionary<string, double> values = new ClassificationTask().Metrics(evaluation, 0.5);

        var onTest = new SplitEvaluation(Split.Test, 3, evaluation, values);
        var onValidation = new SplitEvaluation(Split.Validation, 3, evaluation, values);

        Assert.Equal(["test/loss", "test/accuracy", "test/top5_accuracy"], onTest.Metrics.Select(m => m.Key));
        Assert.Equal([0.5, 0.75, 0.95], onTest.Metrics.Select(m => m.Value));
        Assert.Equal(["validation/loss", "validation/accuracy", "validation/top5_accuracy"], onValidation.Metrics.Select(m => m.Key));
    }
}
