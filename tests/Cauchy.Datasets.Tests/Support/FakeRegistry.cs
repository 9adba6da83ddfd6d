using System.Collections.Concurrent;
using Cauchy.Testing;
using Cauchy.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Cauchy.Datasets.Tests.Support;

/// <summary>
/// A stand-in for the model registry that implements only the RPC the datasets service calls,
/// ListVersionsByDataset, with a lineage table the test fills: it lets a test say which dataset versions are
/// referenced without training and uploading a model. Every other RPC answers UNIMPLEMENTED.
/// </summary>
public sealed class FakeRegistry : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeRegistry(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>(dataset id, version id) → the model version trained on it.</summary>
    public ConcurrentDictionary<(string, string), ModelVersionRef> Lineage { get; } = new();

    public static async Task<FakeRegistry> StartAsync()
    {
        WebApplication app = await LoopbackGrpcServer.StartAsync(services => services.AddSingleton<LineageTable>(), app => app.MapGrpcService<LineageOnlyModels>());
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var registry = new FakeRegistry(app, new Uri(address).Port);
        app.Services.GetRequiredService<LineageTable>().Source = registry.Lineage;
        return registry;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class LineageTable
    {
        public ConcurrentDictionary<(string, string), ModelVersionRef> Source { get; set; } = new();
    }

    private sealed class LineageOnlyModels(LineageTable table) : Models.ModelsBase
    {
        public override Task<ListVersionsByDatasetResponse> ListVersionsByDataset(ListVersionsByDatasetRequest request, ServerCallContext context)
        {
            var filter = request.DatasetVersion
                ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "dataset_version is required"));
            var response = new ListVersionsByDatasetResponse();
            if (table.Source.TryGetValue((filter.DatasetId, filter.VersionId), out var model))
            {
                response.ModelVersions.Add(new ModelVersion { ModelName = model.ModelName, Version = model.Version });
            }
            return Task.FromResult(response);
        }
    }
}
