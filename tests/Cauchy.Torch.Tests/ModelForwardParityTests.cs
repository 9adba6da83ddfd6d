using System.Text.Json;
using Cauchy.Torch.Models;
using Xunit;

namespace Cauchy.Torch.Tests;

// Zoo models built with the same seed as torchvision's give PyTorch's outputs: in eval (running statistics), in
// training (batch statistics, dropout drawn after manual_seed(100)), the cross-entropy loss and the first
// parameter's gradient, and the running means that training step left.
public class ModelForwardParityTests
{
    [Theory]
    [InlineData("small_cnn", 1, 10, new long[] { 4, 1, 28, 28 }, new long[] { 0, 3, 9, 1 })]
    [InlineData("resnet18_small_stem", 1, 10, new long[] { 2, 1, 28, 28 }, new long[] { 2, 7 })]
    [InlineData("shufflenet_v2_x0_5", 3, 10, new long[] { 2, 3, 64, 64 }, new long[] { 2, 7 })]
    [InlineData("mobilenet_v2", 3, 10, new long[] { 2, 3, 32, 32 }, new long[] { 2, 7 })]
    public void Model_EvalTrainLossAndGradient_EqualPyTorch(string reference, int inChannels, int classes, long[] inputShape, long[] targets)
    {
        JsonElement expected = NnReference.Forward(reference);
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(0);
        var options = new ModelOptions { NumClasses = classes, InChannels = inChannels, SmallImageStem = reference.EndsWith("_small_stem", StringComparison.Ordinal) };
        using nn.Module<Tensor, Tensor> model = ModelZoo.Create(reference.Replace("_small_stem", string.Empty, StringComparison.Ordinal), options);
        torch.manual_seed(1);
        Tensor x = torch.randn(inputShape);
        NnReference.AssertClose(expected.GetProperty("input_head"), x.flatten().narrow(0, 0, 16), 0f, "input");

        model.eval();
        using (torch.no_grad())
        {
            NnReference.AssertClose(expected.GetProperty("eval_output"), model.call(x), 1e-4f, "eval output");
        }

        model.train();
        torch.manual_seed(100);
        Tensor output = model.call(x);
        NnReference.AssertClose(expected.GetProperty("train_output"), output, 1e-4f, "train output");
        Tensor loss = nn.functional.cross_entropy(output, torch.tensor(targets));
        NnReference.AssertClose([(float)expected.GetProperty("loss").GetDouble()], [loss.item<float>()], 1e-5f, "loss");
        loss.backward();
        Tensor grad = model.parameters().First().grad!.flatten().narrow(0, 0, 16);
        NnReference.AssertClose(expected.GetProperty("first_param_grad_head"), grad, 1e-4f, "first parameter grad");

        Dictionary<string, Tensor> state = model.state_dict();
        foreach (JsonProperty runningMean in expected.GetProperty("running_mean_after").EnumerateObject())
        {
            NnReference.AssertClose(runningMean.Value, state[runningMean.Name], 1e-5f, runningMean.Name);
        }
    }
}
