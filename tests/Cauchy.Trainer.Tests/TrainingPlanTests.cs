using Cauchy.Trainer.Execution;
using Cauchy.V1;
using Xunit;

namespace Cauchy.Trainer.Tests;

public sealed class TrainingPlanTests
{
    [Fact]
    public void Without_max_steps_the_plan_is_every_step_of_every_epoch()
    {
        var h = new Hyperparameters { Epochs = 3 };

        TrainingPlan plan = TrainingPlan.For(h, stepsPerEpoch: 125);

        Assert.Equal(new TrainingPlan(125, 3, 375), plan);
        Assert.False(plan.EndsEarly(h));
    }

    [Theory]
    [InlineData(40, 1)]
    [InlineData(125, 1)]
    [InlineData(126, 2)]
    [InlineData(250, 2)]
    public void Max_steps_ends_the_plan_in_the_epoch_that_step_falls_in(long maxSteps, int epochs)
    {
        var h = new Hyperparameters { Epochs = 3, MaxSteps = maxSteps };

        TrainingPlan plan = TrainingPlan.For(h, stepsPerEpoch: 125);

        Assert.Equal(new TrainingPlan(125, epochs, maxSteps), plan);
        Assert.True(plan.EndsEarly(h));
    }

    [Fact]
    public void Max_steps_beyond_the_epochs_changes_nothing()
    {
        var h = new Hyperparameters { Epochs = 2, MaxSteps = 1000 };

        TrainingPlan plan = TrainingPlan.For(h, stepsPerEpoch: 125);

        Assert.Equal(new TrainingPlan(125, 2, 250), plan);
        Assert.False(plan.EndsEarly(h));
    }
}
