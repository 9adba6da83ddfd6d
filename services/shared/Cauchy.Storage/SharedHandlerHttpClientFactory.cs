using Amazon.Runtime;

namespace Cauchy.Storage;

/// <summary>
/// Makes the AWS client send through the store's own handler chain, so that both client libraries share one
/// connection pool, one error translation and, in tests, one fault-injecting transport.
/// </summary>
internal sealed class SharedHandlerHttpClientFactory(HttpMessageHandler handler) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler, disposeHandler: false);

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
}
