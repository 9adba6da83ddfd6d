using System.Net;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cauchy.Orchestrator.Tests;

/// <summary>
/// A small cauchy.v1.Datasets server on loopback (our gRPC runtime on Kestrel) that answers GetDataset and
/// GetDatasetVersion from a fixed catalogue, so the orchestrator process resolves dataset versions over real gRPC
/// while the datasets service is built elsewhere. Its catalogue: "fashion" (classification, versions v1 and v2,
/// 60000 train samples) and "shapes" (detection, one version).
/// </summary>
public sealed class FakeDatasetsServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private FakeDatasetsServer(WebApplication app, Uri address)
    {
        this.app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<FakeDatasetsServer> StartAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<CatalogueService>();
        await app.StartAsync();
        return new FakeDatasetsServer(app, new Uri(app.Urls.First()));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private sealed class CatalogueService : V1.Datasets.DatasetsBase
    {
        private static readonly Dictionary<string, (TaskType Task, string[] Versions)> Catalogue = new()
        {
            ["fashion"] = (TaskType.Classification, ["v1", "v2"]),
            ["shapes"] = (TaskType.Detection, ["s1"]),
        };

        public override Task<GetDatasetResponse> GetDataset(GetDatasetRequest request, ServerCallContext context)
        {
            var (task, versions) = Find(request.DatasetId);
            return Task.FromResult(new GetDatasetResponse
            {
                Dataset = new Dataset
                {
                    Id = request.DatasetId,
                    TaskType = task,
                    LatestVersionId = versions[^1],
                    VersionCount = versions.Length,
                    CreateTime = Timestamp.FromDateTime(DateTime.UtcNow),
                },
            });
        }

        public override Task<GetDatasetVersionResponse> GetDatasetVersion(GetDatasetVersionRequest request, ServerCallContext context)
        {
            var (task, versions) = Find(request.DatasetId);
            if (!versions.Contains(request.VersionId))
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"version '{request.VersionId}' does not exist"));
            }

            var version = new DatasetVersion { DatasetId = request.DatasetId, VersionId = request.VersionId, TaskType = task, SampleCount = 70000 };
            version.SplitCounts.Add(new SplitCount { Split = Split.Train, SampleCount = 60000 });
            version.SplitCounts.Add(new SplitCount { Split = Split.Validation, SampleCount = 10000 });
            return Task.FromResult(new GetDatasetVersionResponse { Version = version });
        }

        private static (TaskType Task, string[] Versions) Find(string id) =>
            Catalogue.TryGetValue(id, out var entry)
                ? entry
                : throw new RpcException(new Status(StatusCode.NotFound, $"dataset '{id}' does not exist"));
    }
}
