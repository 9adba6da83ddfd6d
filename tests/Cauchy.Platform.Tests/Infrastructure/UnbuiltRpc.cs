using Grpc.Core;

namespace Cauchy.Platform.Tests.Infrastructure;

/// <summary>An RPC of a service that is not built yet, called through the generated Cauchy.V1 client.</summary>
public sealed record UnbuiltRpc(string Method, Func<ChannelBase, CallOptions, Task> Invoke)
{
    /// <summary>One unary RPC per service that answers UNIMPLEMENTED until its issue lands.</summary>
    public static UnbuiltRpc For(PlatformService service) =>
        service.Name switch
        {
            "datasets" => new("ListDatasets", (channel, options) =>
                new Cauchy.V1.Datasets.DatasetsClient(channel).ListDatasetsAsync(new Cauchy.V1.ListDatasetsRequest(), options).ResponseAsync),
            "orchestrator" => new("ListJobs", (channel, options) =>
                new Cauchy.V1.Jobs.JobsClient(channel).ListJobsAsync(new Cauchy.V1.ListJobsRequest(), options).ResponseAsync),
            "trainer" => new("GetStatus", (channel, options) =>
                new Cauchy.V1.Trainer.TrainerClient(channel).GetStatusAsync(new Cauchy.V1.GetStatusRequest(), options).ResponseAsync),
            "metrics" => new("ListEvaluations", (channel, options) =>
                new Cauchy.V1.Metrics.MetricsClient(channel).ListEvaluationsAsync(new Cauchy.V1.ListEvaluationsRequest(), options).ResponseAsync),
            "registry" => new("ListModels", (channel, options) =>
                new Cauchy.V1.Models.ModelsClient(channel).ListModelsAsync(new Cauchy.V1.ListModelsRequest(), options).ResponseAsync),
            _ => throw new ArgumentException($"no unbuilt RPC chosen for {service.Name}", nameof(service)),
        };
}
