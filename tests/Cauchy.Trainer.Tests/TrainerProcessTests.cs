using System.Net.Http;
using Cauchy.Testing;
using Cauchy.V1;
using Grpc.Net.Client;
using Xunit;

namespace Cauchy.Trainer.Tests;

/// <summary>
/// The trainer as its own process with no orchestrator to lease from (its LeaseJob calls fail and are retried):
/// status, draining and its Prometheus series. Whole jobs through the real platform are in
/// tests/Cauchy.EndToEnd.Tests.
/// </summary>
public sealed class TrainerProcessTests
{
    [Fact]
    public async Task An_idle_worker_reports_its_device_and_drains_when_asked()
    {
        var env = new Dictionary<string, string>
        {
            ["CAUCHY_SERVICES__JOBS__ADDRESS"] = $"http://127.0.0.1:{ServiceProcess.FreeServicePort()}",
            ["CAUCHY_TRAINER__WORKERID"] = "worker-under-test",
            ["CAUCHY_TRAINER__DEVICE"] = "cpu",
            // Drain needs a maintainer, whose token only an orchestrator could check: this trainer runs alone.
            [TestAuthentication.Off.Key] = TestAuthentication.Off.Value,
        };
        await using var trainer = await ServiceProcess.StartAsync("trainer", "Cauchy.Trainer", env);
        using var channel = GrpcChannel.ForAddress(trainer.Address);
        var client = new V1.Trainer.TrainerClient(channel);

        WorkerStatus status = (await client.GetStatusAsync(new GetStatusRequest())).Status;
        Assert.Equal("worker-under-test", status.WorkerId);
        Assert.Equal(WorkerState.Idle, status.State);
        Assert.False(status.Draining);
        Assert.Equal(DeviceKind.Cpu, status.Device.Kind);
        Assert.NotEmpty(status.Device.Name);
        Assert.True(status.Device.MemoryTotalBytes > 0, "the CPU worker reports the host's memory");
        Assert.Equal(0, status.SamplesPerSecond);
        Assert.Equal("", status.CurrentJobId);

        DrainResponse drained = await client.DrainAsync(new DrainRequest { Reason = "node maintenance" });
        Assert.True(drained.Status.Draining);
        Assert.True((await client.GetStatusAsync(new GetStatusRequest())).Status.Draining);
        Assert.Contains("node maintenance", await WaitForOutputAsync(trainer, "node maintenance"));

        using var http = new HttpClient();
        string metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{trainer.HttpPort}/metrics"));
        Assert.Contains("cauchy_trainer_draining 1", metrics);
        Assert.Contains("cauchy_trainer_busy 0", metrics);
    }

    private static async Task<string> WaitForOutputAsync(ServiceProcess process, string text)
    {
        for (int i = 0; i < 100 && !process.Output.Contains(text, StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
        }

        return process.Output;
    }
}
