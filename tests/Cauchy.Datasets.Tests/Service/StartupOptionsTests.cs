using Cauchy.Testing;
using Xunit;

namespace Cauchy.Datasets.Tests.Service;

/// <summary>A setting the service cannot work with stops it at start-up, and the message names the key.</summary>
public sealed class StartupOptionsTests
{
    [Theory]
    [InlineData("CAUCHY_DATASETS__SHARDS__MAXSAMPLES", "0", "Datasets:Shards:MaxSamples is 0; it must be > 0.")]
    [InlineData("CAUCHY_DATASETS__ARCHIVE__MAXENTRIES", "-1", "Datasets:Archive:MaxEntries is -1; it must be > 0.")]
    [InlineData("CAUCHY_DATASETS__ABANDONIMPORTSAFTER", "-00:01:00", "Datasets:AbandonImportsAfter is -00:01:00; it must not be negative.")]
    public async Task An_invalid_datasets_option_stops_the_service_at_start_up_naming_the_key(string variable, string value, string message)
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync(
            "datasets", "Cauchy.Datasets", new Dictionary<string, string> { [variable] = value }));

        Assert.Contains("exited with code", failure.Message, StringComparison.Ordinal);
        Assert.Contains(message, failure.Message, StringComparison.Ordinal);
    }
}
