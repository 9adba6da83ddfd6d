using Cauchy.Datasets.Tests.Support;
using Grpc.Net.Client;

namespace Cauchy.Datasets.Tests.Service;

/// <summary>One datasets service process (SQLite, local store) and the registry stand-in it asks about lineage.</summary>
public sealed class DatasetsServiceFixture : IAsyncLifetime
{
    public FakeRegistry Registry { get; private set; } = null!;

    public CauchyServiceProcess Service { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public V1.Datasets.DatasetsClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Registry = await FakeRegistry.StartAsync();
        Service = new CauchyServiceProcess(new Dictionary<string, string>
        {
            ["CAUCHY_SERVICES__REGISTRY__ADDRESS"] = $"http://127.0.0.1:{Registry.Port}",
            ["CAUCHY_DATASETS__SHARDS__MAXSAMPLES"] = "4",
            ["CAUCHY_DATASETS__SHARDS__READBATCHSAMPLES"] = "3",
        });
        await Service.StartAsync();
        Channel = Service.CreateChannel();
        Client = new V1.Datasets.DatasetsClient(Channel);
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await Service.DisposeAsync();
        await Registry.DisposeAsync();
    }
}
