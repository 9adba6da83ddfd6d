using Cauchy.Torch.Optimization;
using Xunit;

namespace Cauchy.Torch.Tests;

public class OptimizerBehaviourTests
{
    [Fact]
    public void ZeroGrad_SetToNone_DropsGradients_OtherwiseZeroesThem()
    {
        (Tensor x, Tensor w, Tensor b) = OptimReference.Problem();
        using (x)
        using (w)
        using (b)
        using (SGD optimizer = optim.SGD([w, b], lr: 0.1))
        {
            using (Tensor loss = OptimReference.Loss(x, w, b))
            {
                loss.backward();
            }

            optimizer.zero_grad();
            using (Tensor? grad = w.grad)
            {
                Assert.NotNull(grad);
                Assert.All(grad.ToArray<float>(), v => Assert.Equal(0f, v));
            }

            optimizer.zero_grad(set_to_none: true);
            Assert.Null(w.grad);
            Assert.Null(b.grad);
        }
    }

    [Fact]
    public void Step_SkipsParametersWithoutGradient()
    {
        using Tensor used = torch.ones([2]);
        using Tensor unused = torch.ones([2]);
        used.requires_grad = true;
        unused.requires_grad = true;
        using Adam optimizer = optim.Adam([used, unused], lr: 0.5);

        using (Tensor loss = (used * used).sum())
        {
            loss.backward();
        }

        optimizer.step();

        Assert.All(used.ToArray<float>(), v => Assert.NotEqual(1f, v));
        Assert.Equal([1f, 1f], unused.ToArray<float>());
        using OptimizerStateDict state = optimizer.state_dict();
        Assert.True(state.state.ContainsKey(0));
        Assert.False(state.state.ContainsKey(1));
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    [InlineData("adamw")]
    public void StateDict_LoadedIntoAFreshOptimizer_ContinuesBitForBit(string kind)
    {
        (Tensor x, Tensor w, Tensor b) = OptimReference.Problem();
        using (x)
        using (w)
        using (b)
        using (Optimizer first = Create(kind, w, b))
        {
            Train(first, x, w, b, 3);
            using Tensor wCopy = w.detach().to(ScalarType.Float64);
            using Tensor bCopy = b.detach().to(ScalarType.Float64);
            using OptimizerStateDict saved = first.state_dict();
            using OptimizerStateDict savedCopy = Clone(saved);

            Train(first, x, w, b, 4);
            float[] expectedW = w.ToArray<float>();

            using Tensor w2 = wCopy.to(ScalarType.Float32);
            using Tensor b2 = bCopy.to(ScalarType.Float32);
            w2.requires_grad = true;
            b2.requires_grad = true;
            using Optimizer second = Create(kind, w2, b2);
            second.load_state_dict(savedCopy);
            Train(second, x, w2, b2, 4);

            Assert.Equal(expectedW, w2.ToArray<float>());
        }
    }

    [Fact]
    public void LoadStateDict_WithADifferentGroupLayout_NamesTheMismatch()
    {
        using Tensor a = torch.ones([2]);
        using Tensor b = torch.ones([3]);
        using SGD one = optim.SGD([a, b], lr: 0.1);
        using SGD two = optim.SGD([new ParamGroup([a]), new ParamGroup([b])], lr: 0.1);

        using OptimizerStateDict state = one.state_dict();
        var error = Assert.Throws<ArgumentException>(() => two.load_state_dict(state));
        Assert.Contains("1 parameter groups, the optimizer has 2", error.Message);
    }

    [Fact]
    public void LoadStateDict_WithAStateTensorOfTheWrongShape_Throws()
    {
        using Tensor a = torch.ones([2]);
        using SGD optimizer = optim.SGD([a], lr: 0.1, momentum: 0.9);
        var state = new OptimizerStateDict();
        state.param_groups.Add(new ParamGroupState(optimizer.param_groups[0].options, [0]));
        state.state[0] = new Dictionary<string, Tensor> { ["momentum_buffer"] = torch.ones([5]) };

        var error = Assert.Throws<TorchException>(() => optimizer.load_state_dict(state));
        Assert.Contains("momentum_buffer", error.Message);
        state.Dispose();
    }

    [Fact]
    public void InvalidOptions_AreRejectedLikePyTorch()
    {
        using Tensor a = torch.ones([2]);
        Assert.Contains("Invalid learning rate", Assert.Throws<ArgumentException>(() => optim.SGD([a], lr: -1)).Message);
        Assert.Contains("Nesterov", Assert.Throws<ArgumentException>(() => optim.SGD([a], lr: 0.1, nesterov: true)).Message);
        Assert.Contains("beta parameter at index 1", Assert.Throws<ArgumentException>(() => optim.Adam([a], betas: (0.9, 1.0))).Message);
        Assert.Contains("more than one parameter group", Assert.Throws<ArgumentException>(() => optim.SGD([a, a], lr: 0.1)).Message);
    }

    [Fact]
    public void GroupOptions_FallBackToDefaults_AndSurviveInTheStateDict()
    {
        using Tensor a = torch.ones([2]);
        using Tensor b = torch.ones([2]);
        using SGD optimizer = optim.SGD([new ParamGroup([a]) { ["lr"] = 0.5 }, new ParamGroup([b])], lr: 0.1, momentum: 0.9);

        Assert.Equal(0.5, optimizer.param_groups[0].lr);
        Assert.Equal(0.1, optimizer.param_groups[1].lr);
        Assert.Equal(0.9, optimizer.param_groups[0]["momentum"]);
        using OptimizerStateDict state = optimizer.state_dict();
        Assert.Equal([0], state.param_groups[0].@params);
        Assert.Equal([1], state.param_groups[1].@params);
        Assert.Equal(0.5, state.param_groups[0].options["lr"]);
    }

    private static Optimizer Create(string kind, Tensor w, Tensor b) => kind switch
    {
        "sgd" => optim.SGD([w, b], lr: 0.1, momentum: 0.9, nesterov: true),
        "adam" => optim.Adam([w, b], lr: 0.01, amsgrad: true),
        _ => optim.AdamW([w, b], lr: 0.01),
    };

    private static void Train(Optimizer optimizer, Tensor x, Tensor w, Tensor b, int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            optimizer.zero_grad();
            using Tensor loss = OptimReference.Loss(x, w, b);
            loss.backward();
            optimizer.step();
        }
    }

    // The state dict's tensors share the optimizer's live buffers; a copy keeps the values of this moment.
    private static OptimizerStateDict Clone(OptimizerStateDict source)
    {
        var copy = new OptimizerStateDict();
        copy.param_groups.AddRange(source.param_groups);
        foreach ((int index, Dictionary<string, Tensor> entries) in source.state)
        {
            copy.state[index] = entries.ToDictionary(e => e.Key, e => e.Value.to(ScalarType.Float64).to(e.Value.dtype));
        }

        return copy;
    }
}
