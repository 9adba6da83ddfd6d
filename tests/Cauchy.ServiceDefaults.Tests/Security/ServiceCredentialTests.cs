using System.Text;
using Cauchy.ServiceDefaults.Security;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.Security;

public sealed class ServiceCredentialTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("a-shared-secret-of-at-least-32-bytes-long");

    [Fact]
    public void A_credential_verifies_with_the_secret_it_was_made_with_and_names_its_service()
    {
        var credential = ServiceCredential.Create(Secret, "trainer");
        Assert.StartsWith("cauchy-svc.trainer.", credential, StringComparison.Ordinal);
        Assert.True(ServiceCredential.TryVerify(Secret, credential, out var name));
        Assert.Equal("trainer", name);
    }

    [Fact]
    public void A_credential_made_with_another_secret_or_for_another_name_is_refused()
    {
        var forged = ServiceCredential.Create(Encoding.UTF8.GetBytes("another-secret-of-at-least-32-bytes-long"), "trainer");
        Assert.False(ServiceCredential.TryVerify(Secret, forged, out _));

        var genuine = ServiceCredential.Create(Secret, "trainer");
        var renamed = genuine.Replace("cauchy-svc.trainer.", "cauchy-svc.orchestrator.", StringComparison.Ordinal);
        Assert.False(ServiceCredential.TryVerify(Secret, renamed, out _));
        Assert.False(ServiceCredential.TryVerify(Secret, "cauchy-svc.trainer.", out _));
        Assert.False(ServiceCredential.TryVerify(Secret, "cauchy-svc.trainer.not*base64", out _));
        Assert.False(ServiceCredential.TryVerify(Secret, "Bearer something", out _));
    }

    [Fact]
    public void Platform_token_secrets_are_prefixed_random_and_hashed_to_32_bytes()
    {
        var one = PlatformToken.NewSecret();
        var two = PlatformToken.NewSecret();
        Assert.NotEqual(one, two);
        Assert.StartsWith("cauchy_", one, StringComparison.Ordinal);
        Assert.Equal("cauchy_".Length + 43, one.Length);
        Assert.True(PlatformToken.LooksLikeOne(one));
        Assert.Equal(32, PlatformToken.Hash(one).Length);
    }
}
