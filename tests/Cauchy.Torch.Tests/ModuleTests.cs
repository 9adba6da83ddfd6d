using Xunit;

namespace Cauchy.Torch.Tests;

public class ModuleTests
{
    [Fact]
    public void RegisterComponents_RegistersFieldsInDeclarationOrder_WithPyTorchKeys()
    {
        using var net = new TwoLayerNet();

        // PyTorch's order: a module's own parameters, then its children's.
        Assert.Equal(["scale", "fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "fc2.weight", "fc2.bias"], net.named_parameters().Select(p => p.name));
        Assert.Equal(["bn.running_mean", "bn.running_var", "bn.num_batches_tracked"], net.named_buffers().Select(b => b.name));
        Assert.Equal(["", "fc1", "bn", "fc2"], net.named_modules().Select(m => m.name));
        Assert.Equal(
            ["scale", "fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked", "fc2.weight", "fc2.bias"],
            OrderedStateKeys(net));
    }

    [Fact]
    public void Parameters_AreTensorsAnOptimizerCanTake()
    {
        using var net = new TwoLayerNet();
        IEnumerable<Tensor> tensors = net.parameters();

        Assert.Equal(7, tensors.Count());
        Assert.All(tensors, t => Assert.True(t.requires_grad));
    }

    [Fact]
    public void SharedModule_AppearsOnceInParametersAndModules()
    {
        var shared = new nn.Linear(2, 2);
        using var seq = new nn.Sequential(shared, shared);

        Assert.Equal(2, seq.parameters().Count());
        Assert.Equal(2, seq.modules().Count());
    }

    [Fact]
    public void TrainAndEval_ReachEverySubmodule()
    {
        using var net = new nn.Sequential(new nn.Linear(2, 2), new nn.Sequential(new nn.Dropout(), new nn.BatchNorm2d(2)));

        net.eval();
        Assert.All(net.modules(), m => Assert.False(m.training));
        net.train();
        Assert.All(net.modules(), m => Assert.True(m.training));
    }

    [Fact]
    public void Eval_DropoutPassesThroughAndBatchNormUsesRunningStats()
    {
        using var scope = torch.NewDisposeScope();
        using var bn = new nn.BatchNorm2d(2);
        using var dropout = new nn.Dropout(0.9);
        Tensor x = torch.randn([4, 2, 3, 3]) * 3.0 + 1.0;

        bn.call(x);
        Assert.Equal(1L, bn.num_batches_tracked!.item<long>());
        Assert.NotEqual(0f, bn.running_mean!.ToArray<float>()[0]);
        bn.eval();
        dropout.eval();

        Assert.True(dropout.call(x).equal(x));
        // Eval: (x - running_mean) / sqrt(running_var + eps), the running statistics unchanged.
        Tensor expected = (x - bn.running_mean.reshape(1, 2, 1, 1)) / (bn.running_var!.reshape(1, 2, 1, 1) + 1e-5).sqrt();
        Assert.True(bn.call(x).allclose(expected, 1e-5, 1e-6));
        Assert.Equal(1L, bn.num_batches_tracked.item<long>());
    }

    [Fact]
    public void StateDict_RoundTripsIntoAFreshModule()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        using var source = new TwoLayerNet();
        torch.manual_seed(2);
        using var target = new TwoLayerNet();
        Tensor x = torch.randn([3, 4]);
        Assert.False(source.call(x).equal(target.call(x)));

        nn.LoadStateDictResult result = target.load_state_dict(source.state_dict());

        Assert.Empty(result.missing_keys);
        Assert.Empty(result.unexpected_keys);
        source.eval();
        target.eval();
        Assert.True(source.call(x).equal(target.call(x)));
    }

    [Fact]
    public void LoadStateDict_MissingAndUnexpectedKeys_NamedInTheError()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new TwoLayerNet();
        Dictionary<string, Tensor> state = net.state_dict();
        state.Remove("fc2.bias");
        state["fc3.weight"] = torch.zeros([1]);

        var error = Assert.Throws<TorchException>(() => net.load_state_dict(state));

        Assert.Contains("Error(s) in loading state_dict for TwoLayerNet", error.Message);
        Assert.Contains("Missing key(s) in state_dict: \"fc2.bias\"", error.Message);
        Assert.Contains("Unexpected key(s) in state_dict: \"fc3.weight\"", error.Message);
    }

    [Fact]
    public void LoadStateDict_NonStrict_ReportsSkippedKeysAndLoadsTheRest()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new TwoLayerNet();
        var state = new Dictionary<string, Tensor> { ["scale"] = torch.tensor([7f]), ["extra"] = torch.zeros([1]) };

        nn.LoadStateDictResult result = net.load_state_dict(state, strict: false);

        Assert.Contains("fc1.weight", result.missing_keys);
        Assert.Equal(["extra"], result.unexpected_keys);
        Assert.Equal([7f], net.scale.ToArray<float>());
    }

    [Fact]
    public void LoadStateDict_ShapeMismatch_NamesKeyAndBothShapes_AndCopiesNothing()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new TwoLayerNet();
        Dictionary<string, Tensor> state = net.state_dict();
        float[] before = net.scale.ToArray<float>();
        state["fc2.weight"] = torch.zeros([3, 8]);
        state["scale"] = torch.tensor([5f]);

        var error = Assert.Throws<TorchException>(() => net.load_state_dict(state, strict: false));

        Assert.Contains("size mismatch for fc2.weight: copying a param with shape [3, 8] from checkpoint, the shape in current model is [2, 8]", error.Message);
        Assert.Equal(before, net.scale.ToArray<float>());
    }

    [Fact]
    public void ToDtype_ConvertsFloatingTensorsInPlace_AndKeepsIntegerBuffers()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new TwoLayerNet();
        nn.Parameter weight = net.named_parameters().First().parameter;

        net.to(ScalarType.Float64);

        Assert.Same(weight, net.named_parameters().First().parameter);
        Assert.Equal(ScalarType.Float64, weight.dtype);
        Assert.All(net.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        Assert.Equal(ScalarType.Int64, net.named_buffers().Single(b => b.name == "bn.num_batches_tracked").buffer.dtype);
        Tensor y = net.call(torch.randn([3, 4]).to(ScalarType.Float64));
        Assert.Equal(ScalarType.Float64, y.dtype);
        Assert.True(weight.requires_grad);
    }

    [Fact]
    public void ToDevice_Cpu_KeepsTheSameParameters()
    {
        using var net = new TwoLayerNet();
        nn.Parameter[] before = [.. net.parameters()];

        net.to(new Device(DeviceType.CPU, -1));

        Assert.Equal(before, net.parameters());
    }

    [Fact]
    public void ZeroGrad_ZeroesOrDropsEveryGradient()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new TwoLayerNet();
        net.call(torch.randn([3, 4])).sum().backward();
        Assert.All(net.parameters(), p => Assert.NotNull(p.grad));

        net.zero_grad();
        Assert.All(net.parameters(), p => Assert.All(p.grad!.ToArray<float>(), v => Assert.Equal(0f, v)));

        net.zero_grad(set_to_none: true);
        Assert.All(net.parameters(), p => Assert.Null(p.grad));
    }

    [Fact]
    public void Dispose_ReleasesParametersAndBuffers()
    {
        var net = new TwoLayerNet();
        Tensor[] tensors = [.. net.parameters(), .. net.buffers()];

        net.Dispose();

        Assert.All(tensors, t => Assert.True(t.IsDisposed));
    }

    [Fact]
    public void ParametersAndBuffers_SurviveTheDisposeScopeTheyWereCreatedIn()
    {
        TwoLayerNet net;
        using (torch.NewDisposeScope())
        {
            net = new TwoLayerNet();
        }

        using (net)
        {
            Assert.All(net.parameters(), p => Assert.False(p.IsDisposed));
            Assert.All(net.buffers(), b => Assert.False(b.IsDisposed));
        }
    }

    [Fact]
    public void Register_DuplicateOrDottedNames_Throw()
    {
        using var net = new TwoLayerNet();

        Assert.Throws<ArgumentException>(() => net.register_parameter("fc1", null));
        Assert.Throws<ArgumentException>(() => net.register_module("a.b", new nn.ReLU()));
    }

    [Fact]
    public void Sequential_NamesChildrenByIndex_AndRunsThemInOrder()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var seq = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2));
        Tensor x = torch.randn([5, 4]);

        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], seq.state_dict().Keys);
        var first = (nn.Linear)seq[0];
        var last = (nn.Linear)seq[2];
        Tensor expected = last.call(first.call(x).relu());
        Assert.True(seq.call(x).equal(expected));
    }

    [Fact]
    public void Sequential_WithAModuleReturningItsInput_LeavesTheCallersTensorAlive()
    {
        using var scope = torch.NewDisposeScope();
        using var seq = new nn.Sequential(new PassThrough(), new nn.ReLU(), new PassThrough());
        Tensor x = torch.tensor([-1f, 2f]);

        Tensor y = seq.call(x);

        Assert.False(x.IsDisposed);
        Assert.Equal([-1f, 2f], x.ToArray<float>());
        Assert.Equal([0f, 2f], y.ToArray<float>());
        using var empty = new nn.Sequential();
        using Tensor same = empty.call(x);
        Assert.NotSame(x, same);
        Assert.True(same.equal(x));
    }

    private static IEnumerable<string> OrderedStateKeys(nn.Module module) => module.state_dict().Keys;

    private sealed class PassThrough : nn.Module<Tensor, Tensor>
    {
        public override Tensor forward(Tensor input) => input;
    }

    private sealed class TwoLayerNet : nn.Module<Tensor, Tensor>
    {
        // A module's fields are its state-dict keys (fc1.weight), so they keep PyTorch's names, as in Cauchy.Torch.
#pragma warning disable IDE1006
        private readonly nn.Linear fc1 = new(4, 8);
        private readonly nn.BatchNorm2d bn = new(8);
        private readonly nn.Linear fc2 = new(8, 2);
#pragma warning restore IDE1006

        public TwoLayerNet()
        {
            using Tensor one = torch.ones([1]);
            scale = new nn.Parameter(one);
            RegisterComponents();
        }

        public nn.Parameter scale { get; }

        public override Tensor forward(Tensor input)
        {
            using var scope = torch.NewDisposeScope();
            Tensor hidden = fc1.call(input).reshape(-1, 8, 1, 1);
            Tensor normed = bn.call(hidden).flatten(1).relu();
            return (fc2.call(normed) * scale).MoveToOuterDisposeScope();
        }
    }
}
