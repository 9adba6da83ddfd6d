using System.Diagnostics;
using System.Text;
using Cauchy.Orchestrator.Specs;
using Cauchy.V1;
using Grpc.Core;
using Xunit;
using static Cauchy.Orchestrator.Tests.JobsServiceTests;

namespace Cauchy.Orchestrator.Tests;

/// <summary>
/// Hostile hypes documents sent to the orchestrator process: aliases that expand a few hundred bytes into a billion
/// values are refused while parsing, in bounded time and memory, and a running job goes on meanwhile.
/// </summary>
public sealed class HypesBombTests(OrchestratorFixture fixture) : IClassFixture<OrchestratorFixture>
{
    /// <summary>Nine levels of anchors, each a list of ten aliases of the level below: 10^9 values once expanded.</summary>
    public static string BillionLaughs()
    {
        var text = new StringBuilder("a0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol,lol]\n");
        for (var level = 1; level <= 8; level++)
        {
            text.Append($"a{level}: &a{level} [{string.Join(',', Enumerable.Repeat($"*a{level - 1}", 10))}]\n");
        }

        return text.Append("labels: *a8\n").ToString();
    }

    [Fact]
    public async Task A_billion_laughs_document_is_refused_at_once_in_small_memory_while_a_running_job_heartbeats()
    {
        var client = fixture.Client;
        var architecture = UniqueArchitecture();
        await client.SubmitJobAsync(new SubmitJobRequest { Hypes = Hypes(architecture) }, Deadline());
        var lease = await client.LeaseJobAsync(new LeaseJobRequest { WorkerId = "bomb-trainer", Device = Specs.Cpu(), Architectures = { architecture } }, Deadline());
        var peakBefore = fixture.Service.PeakResidentBytes();
        var bomb = BillionLaughs();
        Assert.True(Encoding.UTF8.GetByteCount(bomb) < 1024, $"the document is {bomb.Length} bytes");

        var heartbeats = Task.Run(async () =>
        {
            var slowest = TimeSpan.Zero;
            for (var i = 0; i < 10; i++)
            {
                var watch = Stopwatch.StartNew();
                await client.HeartbeatAsync(new HeartbeatRequest { LeaseId = lease.LeaseId, Metrics = { Metric("train/loss", 1.0 / (i + 1), i + 1) } }, Deadline());
                slowest = TimeSpan.FromTicks(Math.Max(slowest.Ticks, watch.Elapsed.Ticks));
                await Task.Delay(50);
            }

            return slowest;
        });
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcException>(() => client.SubmitJobAsync(
            new SubmitJobRequest { Hypes = new HypesDocument { Text = bomb, Format = HypesFormat.Yaml } },
            deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
        var elapsed = clock.Elapsed;

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains($"at most {HypesReader.MaxNodes} values", error.Status.Detail);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"refused after {elapsed}");
        Assert.True(await heartbeats < TimeSpan.FromSeconds(1), "a heartbeat waited behind the document");
        var growth = fixture.Service.PeakResidentBytes() - peakBefore;
        Assert.True(growth < 64L << 20, $"the orchestrator's peak memory grew by {growth >> 20} MiB");
        var metrics = await client.GetJobMetricsAsync(new GetJobMetricsRequest { JobId = lease.Job.Id }, Deadline());
        Assert.Equal(10, Assert.Single(metrics.Series).Points.Count);
    }
}
