using Cauchy.V1;
using Grpc.Core;
using Xunit;

namespace Cauchy.EndToEnd.Tests;

/// <summary>kill -9 of the orchestrator while a job trains, and a restart on the same port and data folder.</summary>
[Collection(PlatformCollection.Name)]
public sealed class OrchestratorRestartTests(PlatformFixture fixture)
{
    [Fact]
    public async Task A_job_trains_through_an_orchestrator_restart_and_its_record_keeps_every_transition_log_line_and_point()
    {
        Platform platform = fixture.Platform;
        const int Epochs = 1;
        Job submitted = await Training.SubmitAsync(platform, Training.Hypes(platform, "e2e orchestrator restart", "e2e-orchestrator-restart", epochs: Epochs));
        Assert.Equal(JobState.Queued, submitted.State);

        // Watch from the submission until the orchestrator dies under the stream.
        using var before = platform.Jobs.WatchJob(new WatchJobRequest { JobId = submitted.Id }, Platform.Deadline(600));
        var watchedBefore = CollectUntilBrokenAsync(before.ResponseStream);
        Job training = await Training.WaitAsync(platform, submitted.Id,
            j => j.State is not (JobState.Queued or JobState.Running) || j.Progress is { Phase: JobPhase.Training, Step: > 0 }, "the job to start training");
        Assert.Equal(JobState.Running, training.State);

        await platform.KillOrchestratorAsync();
        (List<JobEvent> eventsBefore, RpcException? broken) = await watchedBefore.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.NotNull(broken);
        await platform.StartOrchestratorAsync();

        // The trainer's lease outlived the restart: the same attempt goes on and completes.
        using var after = platform.Jobs.WatchJob(new WatchJobRequest { JobId = submitted.Id }, Platform.Deadline(600));
        (List<JobEvent> eventsAfter, RpcException? afterError) = await CollectUntilBrokenAsync(after.ResponseStream).WaitAsync(TimeSpan.FromMinutes(5));
        Assert.True(afterError is null, $"the watch after the restart broke: {afterError?.Status}\n{platform.Logs()}");
        Job done = await Training.GetAsync(platform, submitted.Id);
        Assert.True(done.State == JobState.Succeeded, $"{Training.Describe(done)}\n{await Training.LogsAsync(platform, done.Id)}\n{platform.Logs()}");
        Assert.Equal(1, done.Attempt);
        Assert.Equal(0, done.FailureCount);
        Assert.Equal(platform.TrainerWorkerId, done.WorkerId);
        Assert.Equal("e2e-orchestrator-restart", done.ResultModelVersion.ModelName);

        // QUEUED (the submission) → RUNNING → SUCCEEDED: each change follows the state before it, all in attempt 1.
        var states = new List<JobState> { submitted.State };
        foreach (JobEvent e in eventsBefore.Concat(eventsAfter))
        {
            if (e.Snapshot is { } snapshot)
            {
                Assert.True(snapshot.State == states[^1] || (states[^1] == JobState.Queued && snapshot.State == JobState.Running && snapshot.Attempt == 1),
                    $"a watch began at {snapshot.State} after {states[^1]}");
                AddState(states, snapshot.State);
            }
            else if (e.StateChanged is { } change)
            {
                Assert.Equal(states[^1], change.PreviousState);
                Assert.Equal(1, change.Attempt);
                AddState(states, change.State);
            }
        }

        Assert.Equal([JobState.Queued, JobState.Running, JobState.Succeeded], states);
        Assert.Equal(JobState.Running, eventsAfter[0].Snapshot.State);
        Assert.Equal(Epochs, eventsAfter.Concat(eventsBefore).Count(e => e.EpochCompleted is not null));

        // The log: one lease, one success, every trainer line of the attempt, numbered without a gap.
        List<LogLine> log = await Training.LogLinesAsync(platform, submitted.Id);
        string text = await Training.LogsAsync(platform, submitted.Id);
        Assert.Equal(Enumerable.Range(1, log.Count).Select(i => (long)i), log.Select(l => l.Sequence));
        Assert.Single(log, l => l.Text.StartsWith("attempt 1 leased by worker", StringComparison.Ordinal));
        Assert.Single(log, l => l.Text.StartsWith("succeeded: registered e2e-orchestrator-restart:", StringComparison.Ordinal));
        string[] expected = ["attempt 1: worker ", "data: ", $"epoch {Epochs}/{Epochs}: ", "registered e2e-orchestrator-restart:", "test: loss ", "training finished"];
        List<string> trainerLines = log.Where(l => l.WorkerId == done.WorkerId).Select(l => l.Text).ToList();
        Assert.True(expected.Length == trainerLines.Count && expected.Zip(trainerLines).All(p => p.Second.StartsWith(p.First, StringComparison.Ordinal)),
            $"the trainer's lines are not those of one uninterrupted attempt in order:\n{text}");

        // Every loss point the trainer reported, before, during and after the outage: one per ProgressEverySteps steps.
        MetricSeries loss = Assert.Single((await platform.Jobs.GetJobMetricsAsync(new GetJobMetricsRequest { JobId = done.Id, Names = { "train/loss" } }, Platform.Deadline())).Series);
        long totalSteps = (long)Training.StepsPerEpoch * Epochs;
        Assert.Equal(Enumerable.Range(1, (int)(totalSteps / 2)).Select(i => 2L * i), loss.Points.Select(p => p.Step));
    }

    private static void AddState(List<JobState> states, JobState state)
    {
        if (states[^1] != state)
        {
            states.Add(state);
        }
    }

    /// <summary>The events until the stream ends, and the error that ended it if it broke.</summary>
    private static async Task<(List<JobEvent> Events, RpcException? Error)> CollectUntilBrokenAsync(IAsyncStreamReader<WatchJobResponse> stream)
    {
        var events = new List<JobEvent>();
        try
        {
            while (await stream.MoveNext(CancellationToken.None))
            {
                events.Add(stream.Current.Event);
            }

            return (events, null);
        }
        catch (RpcException e)
        {
            return (events, e);
        }
    }
}
