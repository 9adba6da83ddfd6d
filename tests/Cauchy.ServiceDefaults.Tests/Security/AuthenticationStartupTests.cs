using Cauchy.ServiceDefaults.Tests.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.Security;

public sealed class AuthenticationStartupTests
{
    [Fact]
    public async Task With_authentication_on_and_no_service_secret_the_service_refuses_to_start_naming_the_key()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => TestService.StartAsync(
            new Dictionary<string, string?> { ["Authentication:Mode"] = "tokens" }));
        Assert.Contains("Authentication:ServiceSecret", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_secret_shorter_than_32_bytes_is_refused()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => TestService.StartAsync(
            new Dictionary<string, string?> { ["Authentication:Mode"] = "tokens", ["Authentication:ServiceSecret"] = "short" }));
        Assert.Contains("at least 32", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_secret_file_that_cannot_be_read_is_named()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => TestService.StartAsync(
            new Dictionary<string, string?> { ["Authentication:Mode"] = "tokens", ["Authentication:ServiceSecretFile"] = "/nonexistent/service.secret" }));
        Assert.Contains("Authentication:ServiceSecretFile", failure.Message, StringComparison.Ordinal);
    }
}
