using Xunit;

namespace Cauchy.ServiceDefaults.Tests.Hosting;

/// <summary>Tests that start apps or touch CAUCHY_ environment variables run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostingCollection
{
    public const string Name = "Hosting";
}
