using Cauchy.Testing;
using Xunit;

namespace Cauchy.Registry.Tests.Hosting;

/// <summary>A setting the registry cannot work with stops it at start-up, and the message names the key.</summary>
public sealed class StartupOptionsTests
{
    [Theory]
    [InlineData("CAUCHY_DATABASE__PROVIDER", "oracle", "Database:Provider is 'oracle'; it must be 'sqlite' or 'postgres'.")]
    [InlineData("CAUCHY_STORAGE__KIND", "tape", "Storage:Kind is 'tape'; it must be 'local' or 's3'.")]
    public async Task An_invalid_option_stops_the_registry_at_start_up_naming_the_key(string variable, string value, string message)
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync(
            "registry", "Cauchy.Registry", new Dictionary<string, string> { [variable] = value }));

        Assert.Contains("exited with code", failure.Message, StringComparison.Ordinal);
        Assert.Contains(message, failure.Message, StringComparison.Ordinal);
    }
}
