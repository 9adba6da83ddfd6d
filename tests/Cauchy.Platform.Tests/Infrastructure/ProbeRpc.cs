using Cauchy.V1;
using Grpc.Core;
using Xunit;

namespace Cauchy.Platform.Tests.Infrastructure;

/// <summary>
/// One unary RPC per service with a known answer on an empty platform (a lookup of something that does not exist,
/// or the trainer's status), called through the generated Cauchy.V1 client: what the /metrics tests count.
/// </summary>
public sealed record ProbeRpc(string Method, StatusCode Expected, Func<ChannelBase, CallOptions, Task> Invoke)
{
    public static TheoryData<string> ServiceNames
    {
        get
        {
            var names = new TheoryData<string>();
            foreach (var service in PlatformService.All)
            {
                names.Add(service.Name);
            }

            return names;
        }
    }

    public static ProbeRpc For(PlatformService service) =>
        service.Name switch
        {
            "datasets" => new("GetDataset", StatusCode.NotFound, (channel, options) =>
                new Datasets.DatasetsClient(channel).GetDatasetAsync(new GetDatasetRequest { DatasetId = "no-such-dataset" }, options).ResponseAsync),
            "orchestrator" => new("GetJob", StatusCode.NotFound, (channel, options) =>
                new Jobs.JobsClient(channel).GetJobAsync(new GetJobRequest { JobId = "no-such-job" }, options).ResponseAsync),
            "trainer" => new("GetStatus", StatusCode.OK, (channel, options) =>
                new Trainer.TrainerClient(channel).GetStatusAsync(new GetStatusRequest(), options).ResponseAsync),
            "metrics" => new("GetEvaluation", StatusCode.NotFound, (channel, options) =>
                new Metrics.MetricsClient(channel).GetEvaluationAsync(new GetEvaluationRequest { EvaluationId = "no-such-evaluation" }, options).ResponseAsync),
            "registry" => new("GetModel", StatusCode.NotFound, (channel, options) =>
                new Models.ModelsClient(channel).GetModelAsync(new GetModelRequest { ModelName = "no-such-model" }, options).ResponseAsync),
            _ => throw new ArgumentException($"no probe RPC chosen for {service.Name}", nameof(service)),
        };

    /// <summary>The status code as the exporter's grpc_code label spells it.</summary>
    public string CodeLabel => Expected.ToString();
}
