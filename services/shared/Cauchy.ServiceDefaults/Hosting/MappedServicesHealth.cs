using Grpc.AspNetCore.HealthChecks;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Cauchy.ServiceDefaults.Hosting;

/// <summary>
/// Gives every gRPC service the application maps a grpc.health.v1 status of its own (<c>cauchy.v1.Jobs</c>, …) beside
/// the server's (<c>""</c>), as generic clients and Kubernetes' gRPC probes expect. By default a service depends on
/// every health check; a mapping the application configured itself for a name is kept.
/// </summary>
/// <remarks>
/// Runs as the host starts, before the server accepts calls, when Program.cs has mapped everything. The routing
/// system's own endpoint list is only filled once the request pipeline is built, after this, so the endpoints are read
/// from the application's route builder (<see cref="Routes"/>, set by <c>MapGrpcHealthAndReflection</c>). The health
/// options may already have been read by then, so the mappings are added to the options instance itself.
/// </remarks>
internal sealed class MappedServicesHealth(IOptions<GrpcHealthChecksOptions> options) : IHostedLifecycleService
{
    public IEndpointRouteBuilder? Routes { get; set; }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (Routes is null)
        {
            return Task.CompletedTask;
        }

        var mappings = options.Value.Services;
        var services = Routes.DataSources.SelectMany(static source => source.Endpoints)
            .Select(static endpoint => endpoint.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method.ServiceName)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal);
        foreach (var service in services)
        {
            if (!mappings.Any(mapping => mapping.Name == service))
            {
                mappings.Map(service, static _ => true);
            }
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
