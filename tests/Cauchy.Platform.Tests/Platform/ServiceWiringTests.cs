using Cauchy.Platform.Tests.Infrastructure;
using Cauchy.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit;

namespace Cauchy.Platform.Tests.Platform;

/// <summary>
/// Services started by make up find each other: up.sh hands every service its peers' (offset) addresses as
/// Services:&lt;Name&gt;:Address. Without them the datasets service cannot even be activated (it needs a registry
/// client) and the orchestrator would look for the datasets service on the default port.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ServiceWiringTests(PlatformFixture fixture)
{
    [Fact]
    public async Task The_datasets_service_runs_with_its_registry_client_wired()
    {
        using var channel = fixture.Platform.Channel(PlatformService.Named("datasets"));
        var client = new Datasets.DatasetsClient(channel);
        var id = "wiring-" + Guid.NewGuid().ToString("N")[..8];

        await client.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = id, TaskType = TaskType.Classification }, deadline: DateTime.UtcNow.AddSeconds(30));
        var listed = await client.ListDatasetsAsync(new ListDatasetsRequest { PageSize = 100 }, deadline: DateTime.UtcNow.AddSeconds(30));

        Assert.Contains(listed.Datasets, d => d.Id == id);
    }

    [Fact]
    public async Task The_orchestrator_resolves_datasets_through_this_platforms_datasets_service()
    {
        using var channel = fixture.Platform.Channel(PlatformService.Named("orchestrator"));
        var client = new Jobs.JobsClient(channel);
        var hypes = """
            task_type: classification
            model: { architecture: small_cnn }
            dataset: { dataset_id: no-such-dataset }
            hyperparameters: { epochs: 1, batch_size: 8, optimizer: { kind: sgd, learning_rate: 0.1 } }
            """;

        // NOT_FOUND comes from this platform's datasets service; a wrong address would be UNAVAILABLE.
        var error = await Assert.ThrowsAsync<RpcException>(() => client.SubmitJobAsync(
            new SubmitJobRequest { Hypes = new HypesDocument { Text = hypes }, ValidateOnly = true }, deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("no-such-dataset", error.Status.Detail);
    }
}
