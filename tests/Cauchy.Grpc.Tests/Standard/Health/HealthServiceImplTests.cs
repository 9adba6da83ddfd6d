using Cauchy.Grpc.Tests.Standard.Support;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Xunit;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cauchy.Grpc.Tests.Standard.Health;

public sealed class HealthServiceImplTests
{
    private const string Jobs = "cauchy.v1.Jobs";
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task Check_UnknownService_FailsWithNotFound()
    {
        var health = new HealthServiceImpl();

        var error = await Assert.ThrowsAsync<RpcException>(() => health.Check(Request(Jobs), Context()));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains(Jobs, error.Status.Detail);
    }

    [Fact]
    public async Task Check_OverallServerBeforeAnyStatus_FailsWithNotFound()
    {
        var health = new HealthServiceImpl();
        health.SetStatus(Jobs, ServingStatus.Serving);

        var error = await Assert.ThrowsAsync<RpcException>(() => health.Check(Request(""), Context()));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Check_ReturnsTheLatestStatusOfEachServiceSeparately()
    {
        var health = new HealthServiceImpl();
        health.SetStatus("", ServingStatus.Serving);
        health.SetStatus(Jobs, ServingStatus.Serving);
        health.SetStatus(Jobs, ServingStatus.NotServing);

        Assert.Equal(ServingStatus.Serving, (await health.Check(Request(""), Context())).Status);
        Assert.Equal(ServingStatus.NotServing, (await health.Check(Request(Jobs), Context())).Status);
    }

    [Fact]
    public async Task Check_ServiceNamesAreCaseSensitive()
    {
        var health = new HealthServiceImpl();
        health.SetStatus(Jobs, ServingStatus.Serving);

        var error = await Assert.ThrowsAsync<RpcException>(() => health.Check(Request(Jobs.ToUpperInvariant()), Context()));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task ClearStatus_ForgetsOnlyThatService()
    {
        var health = new HealthServiceImpl();
        health.SetStatus("", ServingStatus.Serving);
        health.SetStatus(Jobs, ServingStatus.Serving);

        health.ClearStatus(Jobs);

        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => health.Check(Request(Jobs), Context()))).StatusCode);
        Assert.Equal(ServingStatus.Serving, (await health.Check(Request(""), Context())).Status);
    }

    [Fact]
    public async Task ClearAll_ForgetsEveryService()
    {
        var health = new HealthServiceImpl();
        health.SetStatus("", ServingStatus.Serving);
        health.SetStatus(Jobs, ServingStatus.Serving);

        health.ClearAll();

        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => health.Check(Request(""), Context()))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => health.Check(Request(Jobs), Context()))).StatusCode);
    }

    [Fact]
    public void SetStatus_NullServiceName_IsRejected()
    {
        var health = new HealthServiceImpl();

        Assert.Throws<ArgumentNullException>(() => health.SetStatus(null!, ServingStatus.Serving));
    }

    [Fact]
    public async Task Watch_SendsTheCurrentStatusThenEveryChange()
    {
        var health = new HealthServiceImpl();
        health.SetStatus(Jobs, ServingStatus.NotServing);
        using var cancel = new CancellationTokenSource();
        var stream = new RecordingStreamWriter<HealthCheckResponse>();

        var watch = health.Watch(Request(Jobs), stream, Context(cancel.Token));

        Assert.Equal(ServingStatus.NotServing, (await stream.NextAsync()).Status);
        health.SetStatus(Jobs, ServingStatus.Serving);
        Assert.Equal(ServingStatus.Serving, (await stream.NextAsync()).Status);
        health.SetStatus(Jobs, ServingStatus.NotServing);
        Assert.Equal(ServingStatus.NotServing, (await stream.NextAsync()).Status);
        Assert.False(watch.IsCompleted, "Watch must keep streaming until the client cancels.");

        cancel.Cancel();
        await watch.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(watch.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Watch_UnknownService_SendsServiceUnknownAndKeepsWatching()
    {
        var health = new HealthServiceImpl();
        using var cancel = new CancellationTokenSource();
        var stream = new RecordingStreamWriter<HealthCheckResponse>();

        var watch = health.Watch(Request(Jobs), stream, Context(cancel.Token));

        Assert.Equal(ServingStatus.ServiceUnknown, (await stream.NextAsync()).Status);
        health.SetStatus(Jobs, ServingStatus.Serving);
        Assert.Equal(ServingStatus.Serving, (await stream.NextAsync()).Status);
        cancel.Cancel();
        await watch.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Watch_ClearingTheService_SendsServiceUnknown(bool clearAll)
    {
        var health = new HealthServiceImpl();
        health.SetStatus(Jobs, ServingStatus.Serving);
        using var cancel = new CancellationTokenSource();
        var stream = new RecordingStreamWriter<HealthCheckResponse>();
        var watch = health.Watch(Request(Jobs), stream, Context(cancel.Token));
        Assert.Equal(ServingStatus.Serving, (await stream.NextAsync()).Status);

        if (clearAll)
        {
            health.ClearAll();
        }
        else
        {
            health.ClearStatus(Jobs);
        }

        Assert.Equal(ServingStatus.ServiceUnknown, (await stream.NextAsync()).Status);
        health.SetStatus(Jobs, ServingStatus.Serving);
        Assert.Equal(ServingStatus.Serving, (await stream.NextAsync()).Status);
        cancel.Cancel();
        await watch.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Watch_RepeatedStatusAndOtherServices_SendNothing()
    {
        var health = new HealthServiceImpl();
        health.SetStatus(Jobs, ServingStatus.Serving);
        using var cancel = new CancellationTokenSource();
        var stream = new RecordingStreamWriter<HealthCheckResponse>();
        var watch = health.Watch(Request(Jobs), stream, Context(cancel.Token));
        Assert.Equal(ServingStatus.Serving, (await stream.NextAsync()).Status);

        health.SetStatus(Jobs, ServingStatus.Serving);
        health.SetStatus("cauchy.v1.Models", ServingStatus.NotServing);
        health.SetStatus("", ServingStatus.NotServing);

        Assert.False(await stream.HasMoreAfterAsync(Quiet), "Only a change of the watched service's status is news.");
        cancel.Cancel();
        await watch.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Watch_AfterCancellation_NoLongerReceivesUpdates()
    {
        var health = new HealthServiceImpl();
        health.SetStatus(Jobs, ServingStatus.Serving);
        using var cancel = new CancellationTokenSource();
        var stream = new RecordingStreamWriter<HealthCheckResponse>();
        var watch = health.Watch(Request(Jobs), stream, Context(cancel.Token));
        await stream.NextAsync();

        cancel.Cancel();
        await watch.WaitAsync(TimeSpan.FromSeconds(5));
        health.SetStatus(Jobs, ServingStatus.NotServing);

        Assert.False(await stream.HasMoreAfterAsync(Quiet));
    }

    [Fact]
    public async Task Watch_ManyWatchersAndConcurrentWriters_AllEndOnTheLastStatus()
    {
        var health = new HealthServiceImpl();
        health.SetStatus(Jobs, ServingStatus.Serving);
        using var cancel = new CancellationTokenSource();
        var streams = Enumerable.Range(0, 8).Select(_ => new RecordingStreamWriter<HealthCheckResponse>()).ToArray();
        var watches = streams.Select(stream => health.Watch(Request(Jobs), stream, Context(cancel.Token))).ToArray();
        foreach (var stream in streams)
        {
            Assert.Equal(ServingStatus.Serving, (await stream.NextAsync()).Status);
        }

        // Writers race; whatever the interleaving, each watcher must settle on the status set last.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(writer => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                health.SetStatus(Jobs, (i + writer) % 2 == 0 ? ServingStatus.NotServing : ServingStatus.Serving);
            }
        })));
        health.SetStatus(Jobs, ServingStatus.ServiceUnknown);
        health.SetStatus(Jobs, ServingStatus.NotServing);

        foreach (var stream in streams)
        {
            ServingStatus last;
            do
            {
                last = (await stream.NextAsync()).Status;
            }
            while (last != ServingStatus.NotServing || await stream.HasMoreAfterAsync(TimeSpan.FromMilliseconds(50)));
        }
        cancel.Cancel();
        await Task.WhenAll(watches).WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task CompleteWatchers_EndsOpenWatchesAfterTheirLatestStatus()
    {
        var health = new HealthServiceImpl();
        health.SetStatus(Jobs, ServingStatus.Serving);
        var stream = new RecordingStreamWriter<HealthCheckResponse>();
        var watch = health.Watch(Request(Jobs), stream, Context());
        Assert.Equal(ServingStatus.Serving, (await stream.NextAsync()).Status);

        health.SetStatus(Jobs, ServingStatus.NotServing);
        health.CompleteWatchers();

        await watch.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(ServingStatus.NotServing, (await stream.NextAsync()).Status);
    }

    [Fact]
    public async Task CompleteWatchers_LaterWatchesAnswerOnceAndEnd()
    {
        var health = new HealthServiceImpl();
        health.SetStatus(Jobs, ServingStatus.NotServing);
        health.CompleteWatchers();
        var stream = new RecordingStreamWriter<HealthCheckResponse>();

        await health.Watch(Request(Jobs), stream, Context()).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(ServingStatus.NotServing, (await stream.NextAsync()).Status);
        Assert.False(await stream.HasMoreAfterAsync(TimeSpan.Zero));
    }

    private static HealthCheckRequest Request(string service) => new() { Service = service };

    private static TestServerCallContext Context(CancellationToken cancellationToken = default) =>
        new("/grpc.health.v1.Health/Check", cancellationToken);
}
