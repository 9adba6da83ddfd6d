using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace Cauchy.ServiceDefaults.Hosting;

/// <summary>
/// Keeps the two ports apart: a request that arrived on the HTTP port matches only endpoints marked with
/// <see cref="HttpPortEndpointMetadata"/>, one that arrived on the gRPC port only the others. The decision uses
/// the connection's local port, not the Host header, which proxies and Kubernetes Services rewrite.
/// </summary>
internal sealed class ListenerPortMatcherPolicy(ServiceHostingOptions hosting) : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => 0;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => endpoints.Count > 0;

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var localPort = httpContext.Connection.LocalPort;
        var onHttpPort = localPort == hosting.HttpPort;
        var onGrpcPort = localPort == hosting.GrpcPort;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i))
            {
                continue;
            }

            var isHttpEndpoint = candidates[i].Endpoint.Metadata.GetMetadata<HttpPortEndpointMetadata>() is not null;
            if (isHttpEndpoint ? !onHttpPort : !onGrpcPort)
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }
}
