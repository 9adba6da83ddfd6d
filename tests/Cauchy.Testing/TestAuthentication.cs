using System.Security.Cryptography;
using System.Text;
using Cauchy.ServiceDefaults.Security;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cauchy.Testing;

/// <summary>
/// Credentials for tests: the service secret every <see cref="ServiceProcess"/> of this test run gets, service
/// credentials made from it, channels that send a bearer credential, and the setting that turns authentication off.
/// </summary>
public static class TestAuthentication
{
    /// <summary>One random secret per test run, so that the services a test starts trust each other.</summary>
    public static readonly string ServiceSecret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

    /// <summary>The environment variable and value that turn authentication off, for fixtures that test one service on its own.</summary>
    public static KeyValuePair<string, string> Off => new("CAUCHY_AUTHENTICATION__MODE", "none");

    /// <summary>A service credential of this test run's secret: principal <c>service:&lt;name&gt;</c>, role service.</summary>
    public static string ServiceCredentialFor(string serviceName) =>
        ServiceCredential.Create(Encoding.UTF8.GetBytes(ServiceSecret), serviceName);

    /// <summary>A channel whose every call carries <c>authorization: Bearer &lt;credential&gt;</c> (none when null).</summary>
    public static GrpcChannel Channel(Uri address, string? credential, GrpcChannelOptions? options = null)
    {
        options ??= new GrpcChannelOptions();
        if (credential is not null)
        {
            options.Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("authorization", "Bearer " + credential);
                return Task.CompletedTask;
            }));
            options.UnsafeUseInsecureChannelCallCredentials = true;
        }

        return GrpcChannel.ForAddress(address, options);
    }

    /// <summary>A channel that calls as the service <paramref name="serviceName"/> (viewer, researcher and service RPCs).</summary>
    public static GrpcChannel ServiceChannel(Uri address, string serviceName = "test") => Channel(address, ServiceCredentialFor(serviceName));
}
