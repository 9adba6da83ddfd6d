using Cauchy.Testing;
using Cauchy.V1;
using Grpc.Core;
using Xunit;

namespace Cauchy.Registry.Tests.Hosting;

/// <summary>
/// The registry with authentication on and its orchestrator unreachable: service credentials are checked locally and
/// still work, while a platform token cannot be checked, which is UNAVAILABLE (the token may be fine), not UNAUTHENTICATED.
/// </summary>
public sealed class TokenCheckTests
{
    [Fact]
    public async Task Without_the_orchestrator_a_platform_token_is_unavailable_and_a_service_credential_still_works()
    {
        await using var registry = await ServiceProcess.StartAsync("registry", "Cauchy.Registry", new Dictionary<string, string>
        {
            ["CAUCHY_SERVICES__JOBS__ADDRESS"] = $"http://127.0.0.1:{ServiceProcess.FreeServicePort()}",
            ["CAUCHY_RESILIENCE__DEFAULTDEADLINESECONDS"] = "5",
        });

        using var asService = TestAuthentication.ServiceChannel(registry.Address, "trainer");
        await new Models.ModelsClient(asService).ListModelsAsync(new ListModelsRequest(), deadline: DateTime.UtcNow.AddSeconds(30));

        using var withToken = TestAuthentication.Channel(registry.Address, "cauchy_" + new string('t', 43));
        var unavailable = await Assert.ThrowsAsync<RpcException>(() => new Models.ModelsClient(withToken).ListModelsAsync(new ListModelsRequest(), deadline: DateTime.UtcNow.AddSeconds(60)).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, unavailable.StatusCode);

        using var anonymous = TestAuthentication.Channel(registry.Address, credential: null);
        var unauthenticated = await Assert.ThrowsAsync<RpcException>(() => new Models.ModelsClient(anonymous).ListModelsAsync(new ListModelsRequest(), deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, unauthenticated.StatusCode);
    }
}
