using System.Collections.Concurrent;
using Cauchy.Testing;
using Cauchy.Trainer.Execution;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Cauchy.Trainer.Tests;

/// <summary>
/// <see cref="LeaseKeeper"/> against a Jobs server on loopback (Grpc.AspNetCore on Kestrel, real HTTP/2) whose
/// AppendLogs fails with UNAVAILABLE while told to, as an orchestrator does while it restarts.
/// </summary>
public sealed class LeaseKeeperTests
{
    [Fact]
    public async Task LogLinesWhoseAppendFailed_AreStoredBeforeLaterLines()
    {
        var orchestrator = new FlakyJobs { FailAppends = true };
        await using WebApplication app = await LoopbackGrpcServer.StartAsync(services => services.AddSingleton(orchestrator), app => app.MapGrpcService<FlakyJobs.Service>());
        using GrpcChannel channel = GrpcChannel.ForAddress(app.Urls.First());
        var lease = new LeaseJobResponse
        {
            LeaseId = "lease-1",
            Job = new Job { Id = "job-1" },
            LeaseExpireTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(5)),
            HeartbeatInterval = Duration.FromTimeSpan(TimeSpan.FromMinutes(1)),
        };
        var keeper = new LeaseKeeper(new Jobs.JobsClient(channel), lease, NullLogger.Instance, TimeProvider.System);
        await using (keeper)
        {
            keeper.Start();
            keeper.Log("epoch 1/2: first line");
            keeper.Log("epoch 1/2: second line");
            keeper.Flush();

            // A line logged while the append of the first two is in flight, and then refused: it must not overtake them.
            await orchestrator.AppendInFlight.Task.WaitAsync(TimeSpan.FromSeconds(30));
            keeper.Log("epoch 2/2: third line");
            orchestrator.FailAppends = false;
            orchestrator.RefuseNow.SetResult();
            await WaitUntilAsync(() => orchestrator.FailedAppends == 1, "the first append to be refused");
            Assert.Empty(orchestrator.Stored);

            // The orchestrator is back.
            keeper.Flush();
            await WaitUntilAsync(() => orchestrator.Stored.Count >= 3, "all three lines to be stored");
            Assert.False(keeper.LeaseLost);
        }

        Assert.Equal(["epoch 1/2: first line", "epoch 1/2: second line", "epoch 2/2: third line"], orchestrator.Stored.ToArray());
        Assert.All(orchestrator.LeaseIds, id => Assert.Equal("lease-1", id));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"timed out after 30 s waiting for {what}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>What the orchestrator side saw; <see cref="FailAppends"/> makes AppendLogs answer UNAVAILABLE.</summary>
    private sealed class FlakyJobs
    {
        private int _failedAppends;

        public volatile bool FailAppends;

        public int FailedAppends => Volatile.Read(ref _failedAppends);

        /// <summary>Set when a refused append has arrived; it is answered UNAVAILABLE once <see cref="RefuseNow"/> is set.</summary>
        public TaskCompletionSource AppendInFlight { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource RefuseNow { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<string> Stored { get; } = new();

        public ConcurrentQueue<string> LeaseIds { get; } = new();

        internal sealed class Service(FlakyJobs state) : Jobs.JobsBase
        {
            public override Task<HeartbeatResponse> Heartbeat(HeartbeatRequest request, ServerCallContext context)
            {
                state.LeaseIds.Enqueue(request.LeaseId);
                return Task.FromResult(new HeartbeatResponse { LeaseExpireTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(5)) });
            }

            public override async Task<AppendLogsResponse> AppendLogs(IAsyncStreamReader<AppendLogsRequest> requestStream, ServerCallContext context)
            {
                var lines = new List<string>();
                while (await requestStream.MoveNext(context.CancellationToken))
                {
                    state.LeaseIds.Enqueue(requestStream.Current.LeaseId);
                    lines.AddRange(requestStream.Current.Lines.Select(l => l.Text));
                }

                if (state.FailAppends)
                {
                    state.AppendInFlight.TrySetResult();
                    await state.RefuseNow.Task;
                    Interlocked.Increment(ref state._failedAppends);
                    throw new RpcException(new Status(StatusCode.Unavailable, "the orchestrator is restarting"));
                }

                foreach (string line in lines)
                {
                    state.Stored.Enqueue(line);
                }

                return new AppendLogsResponse();
            }
        }
    }
}
