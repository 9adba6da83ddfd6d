using Xunit;

namespace Cauchy.Torch.Tests;

public class DisposeScopeTests
{
    [Fact]
    public void Scope_DisposesTensorsCreatedInsideIt()
    {
        Tensor inner;
        Tensor result;
        using (DisposeScope scope = torch.NewDisposeScope())
        {
            inner = torch.ones([4]);
            result = inner * 2;
            Assert.Equal(2, scope.Count);
        }

        Assert.True(inner.IsDisposed);
        Assert.True(result.IsDisposed);
    }

    [Fact]
    public void MoveToOuter_KeepsTheTensorAliveInTheEnclosingScope()
    {
        Tensor survivor;
        Tensor temporary;
        using (DisposeScope outer = torch.NewDisposeScope())
        {
            using (DisposeScope inner = torch.NewDisposeScope())
            {
                temporary = torch.ones([2]);
                survivor = inner.MoveToOuter(temporary + 1);
            }

            Assert.True(temporary.IsDisposed);
            Assert.False(survivor.IsDisposed);
            Assert.Equal([2f, 2f], survivor.ToArray<float>());
            Assert.Equal(1, outer.Count);
        }

        Assert.True(survivor.IsDisposed);
    }

    [Fact]
    public void DetachFromDisposeScope_LeavesTheTensorToTheCaller()
    {
        Tensor kept;
        using (torch.NewDisposeScope())
        {
            kept = torch.zeros([3]).DetachFromDisposeScope();
        }

        Assert.False(kept.IsDisposed);
        kept.Dispose();
        Assert.True(kept.IsDisposed);
    }

    [Fact]
    public void TensorsCreatedOutsideAnyScope_AreNotCollected()
    {
        using (torch.NewDisposeScope())
        {
        }

        using Tensor t = torch.zeros([1]);
        Assert.False(t.IsDisposed);
    }

    [Fact]
    public void LongLoopWithScopes_HoldsFlatMemory()
    {
        // Each step makes four 64x64 float32 temporaries (64 KiB in all) and keeps only a scalar:
        // 10,000 steps would hold over 600 MB if the scope did not release them.
        using Tensor weights = torch.randn([64, 64]);
        double total = 0;
        Tensor? lastTemporary = null;
        void Step()
        {
            using DisposeScope scope = torch.NewDisposeScope();
            Tensor x = torch.randn([64, 64]);
            Tensor y = (x.matmul(weights) + 1).relu();
            total += y.mean().item<float>();
            lastTemporary = y;
        }

        for (int i = 0; i < 500; i++)
        {
            Step();
        }

        long before = ResidentBytes();
        for (int i = 0; i < 10_000; i++)
        {
            Step();
        }

        long growth = ResidentBytes() - before;

        Assert.True(double.IsFinite(total));
        Assert.True(lastTemporary?.IsDisposed, "the scope released the step's temporaries, not the garbage collector");
        Assert.False(weights.IsDisposed);
        Assert.True(growth < 50L * 1024 * 1024, $"RSS grew by {growth / (1024 * 1024)} MB over 10,000 scoped steps");
    }

    private static long ResidentBytes()
    {
        // statm's second field is the resident set in pages.
        string[] fields = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
    }
}
