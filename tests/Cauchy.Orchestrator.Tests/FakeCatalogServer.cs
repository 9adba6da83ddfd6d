using Cauchy.Testing;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Cauchy.Orchestrator.Tests;

/// <summary>
/// A small server on loopback (Grpc.AspNetCore on Kestrel) with the calls the orchestrator makes to other services:
/// cauchy.v1.Datasets GetDataset, GetDatasetVersion and GetDatasetStatistics, and cauchy.v1.Models GetModelVersion,
/// from a fixed catalogue, so the orchestrator process resolves them over real gRPC. Datasets: "fashion"
/// (classification, versions v1 and v2, 60000 train samples of 28×28 grey images, 10 classes), "shapes" (detection,
/// one version), "tiny" (classification, 8×8 RGB images), "mixed" (classification, images of 20 to 40 pixels) and
/// "classless" (classification, no class names); models: "imagenet-cnn" version 1.
/// </summary>
public sealed class FakeCatalogServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeCatalogServer(WebApplication app, Uri address)
    {
        this._app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<FakeCatalogServer> StartAsync()
    {
        WebApplication app = await LoopbackGrpcServer.StartAsync(_ => { }, app =>
        {
            app.MapGrpcService<CatalogueService>();
            app.MapGrpcService<RegistryService>();
        });
        return new FakeCatalogServer(app, new Uri(app.Urls.First()));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class RegistryService : V1.Models.ModelsBase
    {
        public override Task<GetModelVersionResponse> GetModelVersion(GetModelVersionRequest request, ServerCallContext context) =>
            request.ModelVersion is { ModelName: "imagenet-cnn", Version: 1 }
                ? Task.FromResult(new GetModelVersionResponse { ModelVersion = new ModelVersion { ModelName = "imagenet-cnn", Version = 1 } })
                : throw new RpcException(new Status(StatusCode.NotFound, "no such model version"));
    }

    private sealed class CatalogueService : V1.Datasets.DatasetsBase
    {
        private static readonly Dictionary<string, (TaskType Task, string[] Versions)> Catalogue = new()
        {
            ["fashion"] = (TaskType.Classification, ["v1", "v2"]),
            ["shapes"] = (TaskType.Detection, ["s1"]),
            ["tiny"] = (TaskType.Classification, ["t1"]),
            ["mixed"] = (TaskType.Classification, ["m1"]),
            ["classless"] = (TaskType.Classification, ["c1"]),
        };

        // The train split's image sizes: (min width, max width, min height, max height, channels).
        private static readonly Dictionary<string, (int MinWidth, int MaxWidth, int MinHeight, int MaxHeight, int Channels)> TrainImages = new()
        {
            ["fashion"] = (28, 28, 28, 28, 1),
            ["shapes"] = (64, 64, 64, 64, 3),
            ["tiny"] = (8, 8, 8, 8, 3),
            ["mixed"] = (20, 40, 24, 32, 3),
            ["classless"] = (28, 28, 28, 28, 1),
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
            if (request.DatasetId != "classless")
            {
                version.ClassNames.AddRange(Enumerable.Range(0, 10).Select(i => $"class{i}"));
            }

            return Task.FromResult(new GetDatasetVersionResponse { Version = version });
        }

        public override Task<GetDatasetStatisticsResponse> GetDatasetStatistics(GetDatasetStatisticsRequest request, ServerCallContext context)
        {
            var (_, versions) = Find(request.DatasetId);
            if (!versions.Contains(request.VersionId))
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"version '{request.VersionId}' does not exist"));
            }

            var images = TrainImages[request.DatasetId];
            var sizes = new ImageSizeStatistics
            {
                MinWidth = images.MinWidth,
                MaxWidth = images.MaxWidth,
                MinHeight = images.MinHeight,
                MaxHeight = images.MaxHeight,
                ChannelHistogram = { [images.Channels] = 60000 },
            };
            var statistics = new DatasetStatistics { DatasetId = request.DatasetId, VersionId = request.VersionId };
            statistics.Splits.Add(new SplitStatistics { Split = Split.Train, SampleCount = 60000, ImageSizes = sizes });
            return Task.FromResult(new GetDatasetStatisticsResponse { Statistics = statistics });
        }

        private static (TaskType Task, string[] Versions) Find(string id) =>
            Catalogue.TryGetValue(id, out var entry)
                ? entry
                : throw new RpcException(new Status(StatusCode.NotFound, $"dataset '{id}' does not exist"));
    }
}
