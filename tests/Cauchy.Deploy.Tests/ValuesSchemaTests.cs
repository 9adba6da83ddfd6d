using Cauchy.Deploy.Tests.Support;
using Xunit;

namespace Cauchy.Deploy.Tests;

/// <summary>values.schema.json rejects what would otherwise render a broken install.</summary>
public sealed class ValuesSchemaTests
{
    [SkippableTheory]
    [InlineData("datasets.replicas=two", "at '/datasets/replicas': got string, want integer")]
    [InlineData("trainer.pools[0].gpus=-1", "at '/trainer/pools/0/gpus'")]
    [InlineData("trainer.pools[0].device=tpu", "at '/trainer/pools/0/device'")]
    [InlineData("database.provider=mysql", "at '/database/provider'")]
    [InlineData("objectStore.serviceUrl=minio:9000", "at '/objectStore/serviceUrl'")]
    public void AWrongTypeOrValue_IsRejectedNamingTheKey(string setting, string expected)
    {
        var result = Chart.Template("--set", setting);

        Assert.False(result.Succeeded, result.Transcript);
        Assert.Contains(expected, result.Error);
    }

    [SkippableTheory]
    [InlineData("datasets.replica=2", "at '/datasets': additional properties 'replica' not allowed")]
    [InlineData("trainer.pools[0].gpu=1", "at '/trainer/pools/0': additional properties 'gpu' not allowed")]
    [InlineData("monitoring.grafana=true", "at '/monitoring': additional properties 'grafana' not allowed")]
    [InlineData("colour=blue", "additional properties 'colour' not allowed")]
    public void AnUnknownKey_IsRejectedNamingIt(string setting, string expected)
    {
        var result = Chart.Template("--set", setting);

        Assert.False(result.Succeeded, result.Transcript);
        Assert.Contains(expected, result.Error);
    }
}
