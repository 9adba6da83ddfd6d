using Microsoft.AspNetCore.Builder;

namespace Cauchy.Grpc.Services.Extensions;

/// <summary>One convention builder for several mapped services, so a convention reaches all of them.</summary>
internal sealed class CompositeEndpointConventionBuilder(IReadOnlyList<IEndpointConventionBuilder> builders) : IEndpointConventionBuilder
{
    public void Add(Action<EndpointBuilder> convention)
    {
        ArgumentNullException.ThrowIfNull(convention);
        foreach (var builder in builders)
        {
            builder.Add(convention);
        }
    }

    public void Finally(Action<EndpointBuilder> finallyConvention)
    {
        ArgumentNullException.ThrowIfNull(finallyConvention);
        foreach (var builder in builders)
        {
            builder.Finally(finallyConvention);
        }
    }
}
