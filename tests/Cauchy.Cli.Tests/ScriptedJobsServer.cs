using System.Collections.Concurrent;
using Cauchy.Testing;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Cauchy.Cli.Tests;

/// <summary>
/// A gRPC server on loopback (our runtime on Kestrel) that plays the orchestrator's side of <c>jobs watch</c> from a
/// script, so the CLI's real client code meets real gRPC streams, statuses and trailers: each WatchJob call takes the
/// next scripted stream, sends its events and then ends it, cleanly or with the scripted status (what a client sees
/// when an orchestrator stops mid-stream). GetJob and GetJobMetrics answer from the script; Datasets'
/// ImportDatasetVersion records the header it receives and echoes its split spec, and GetDataset,
/// ListDatasetVersions and GetDatasetVersion answer from the script's dataset and versions.
/// </summary>
public sealed class ScriptedJobsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ScriptedJobsServer(WebApplication app, WatchScript script)
    {
        this._app = app;
        Script = script;
        Address = app.Urls.First();
    }

    public string Address { get; }

    public WatchScript Script { get; }

    public static async Task<ScriptedJobsServer> StartAsync(WatchScript script)
    {
        WebApplication app = await LoopbackGrpcServer.StartAsync(services => services.AddSingleton(script), app =>
        {
            app.MapGrpcService<JobsService>();
            app.MapGrpcService<DatasetsService>();
        });
        return new ScriptedJobsServer(app, script);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>What the server answers. Streams are taken in order; past the last, WatchJob is UNAVAILABLE.</summary>
    public sealed class WatchScript
    {
        public required string JobId { get; init; }

        public List<(JobEvent[] Events, Status? EndWith)> Streams { get; } = [];

        public Job? Final { get; set; }

        public List<MetricSeries> Series { get; } = [];

        public int WatchCalls => _watchCalls;

        public ConcurrentQueue<ImportDatasetVersionHeader> Imports { get; } = new();

        /// <summary>The one dataset GetDataset knows, and its versions (ListDatasetVersions, GetDatasetVersion).</summary>
        public Dataset? Dataset { get; set; }

        public List<DatasetVersion> Versions { get; } = [];

        internal int _watchCalls;
    }

    private sealed class JobsService(WatchScript script) : Jobs.JobsBase
    {
        public override async Task WatchJob(WatchJobRequest request, IServerStreamWriter<WatchJobResponse> responseStream, ServerCallContext context)
        {
            if (request.JobId != script.JobId)
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"job '{request.JobId}' does not exist"));
            }

            var call = Interlocked.Increment(ref script._watchCalls) - 1;
            if (call >= script.Streams.Count)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "the orchestrator is stopping"));
            }

            var (events, endWith) = script.Streams[call];
            foreach (var e in events)
            {
                await responseStream.WriteAsync(new WatchJobResponse { Event = e });
            }

            if (endWith is { } status)
            {
                throw new RpcException(status);
            }
        }

        public override Task<GetJobResponse> GetJob(GetJobRequest request, ServerCallContext context) =>
            script.Final is { } job && request.JobId == job.Id
                ? Task.FromResult(new GetJobResponse { Job = job })
                : throw new RpcException(new Status(StatusCode.NotFound, $"job '{request.JobId}' does not exist"));

        public override Task<GetJobMetricsResponse> GetJobMetrics(GetJobMetricsRequest request, ServerCallContext context)
        {
            var response = new GetJobMetricsResponse();
            response.Series.AddRange(script.Series.Where(s => request.Names.Count == 0 || request.Names.Contains(s.Name)));
            return Task.FromResult(response);
        }
    }

    private sealed class DatasetsService(WatchScript script) : V1.Datasets.DatasetsBase
    {
        public override Task<GetDatasetResponse> GetDataset(GetDatasetRequest request, ServerCallContext context) =>
            script.Dataset is { } dataset && request.DatasetId == dataset.Id
                ? Task.FromResult(new GetDatasetResponse { Dataset = dataset })
                : throw new RpcException(new Status(StatusCode.NotFound, $"dataset '{request.DatasetId}' does not exist"));

        public override Task<ListDatasetVersionsResponse> ListDatasetVersions(ListDatasetVersionsRequest request, ServerCallContext context)
        {
            var response = new ListDatasetVersionsResponse();
            response.Versions.AddRange(script.Versions.Where(v => v.DatasetId == request.DatasetId).Take(request.PageSize));
            return Task.FromResult(response);
        }

        public override Task<GetDatasetVersionResponse> GetDatasetVersion(GetDatasetVersionRequest request, ServerCallContext context) =>
            script.Versions.FirstOrDefault(v => v.DatasetId == request.DatasetId && v.VersionId == request.VersionId) is { } version
                ? Task.FromResult(new GetDatasetVersionResponse { Version = version })
                : throw new RpcException(new Status(StatusCode.NotFound, $"dataset '{request.DatasetId}' has no version '{request.VersionId}'"));

        public override async Task<ImportDatasetVersionResponse> ImportDatasetVersion(
            IAsyncStreamReader<ImportDatasetVersionRequest> requestStream, ServerCallContext context)
        {
            if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.Header is not { } header)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "header: the first message must be the header"));
            }

            script.Imports.Enqueue(header);
            return new ImportDatasetVersionResponse
            {
                Version = new DatasetVersion { DatasetId = header.DatasetId, VersionId = "v1", Split = header.Split, CreateTime = Timestamp.FromDateTime(DateTime.UtcNow) },
                Report = new ValidationReport(),
            };
        }
    }
}
