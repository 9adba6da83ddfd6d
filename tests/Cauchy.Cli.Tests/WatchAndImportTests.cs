using System.Text.Json;
using Cauchy.Cli.Commands;
using Cauchy.Cli.Output;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Xunit;

namespace Cauchy.Cli.Tests;

/// <summary><c>jobs watch</c> (text, JSON lines, reconnecting) and <c>datasets import</c>'s split fractions, over real gRPC.</summary>
public sealed class WatchAndImportTests
{
    private const string JobId = "j-7";

    [Fact]
    public void Split_fractions_left_out_share_what_the_given_ones_leave()
    {
        var spec = DatasetsCommands.SplitSpec(3, keepSourceSplits: true, train: 1, validation: null, test: null);
        Assert.Equal((1.0, 0.0, 0.0, 3L, true), (spec.TrainFraction, spec.ValidationFraction, spec.TestFraction, spec.Seed, spec.KeepSourceSplits));

        spec = DatasetsCommands.SplitSpec(0, false, train: 0.8, validation: null, test: null);
        Assert.Equal(0.1, spec.ValidationFraction, 12);
        Assert.Equal(0.1, spec.TestFraction, 12);

        spec = DatasetsCommands.SplitSpec(0, false, null, null, null);
        Assert.Equal((0.0, 0.0, 0.0), (spec.TrainFraction, spec.ValidationFraction, spec.TestFraction)); // the service's defaults

        var error = Assert.Throws<CliException>(() => DatasetsCommands.SplitSpec(0, false, 1.5, null, null));
        Assert.Contains("between 0 and 1", error.Message);
    }

    [Fact]
    public async Task Import_sends_the_split_fractions_it_was_given()
    {
        await using var server = await ScriptedJobsServer.StartAsync(new ScriptedJobsServer.WatchScript { JobId = JobId });
        var (code, output, error) = await RunAsync(server,
            "datasets", "import", "fashion", "s3://bucket/fashion.tar", "--from-uri", "--format", "idx", "--keep-source-splits",
            "--train-fraction", "0.9", "--validation-fraction", "0.1", "--seed", "7");

        Assert.True(code == 0, error);
        Assert.StartsWith("dataset/fashion@v1 imported", output);
        var header = Assert.Single(server.Script.Imports);
        Assert.Equal(new SplitSpec { Seed = 7, KeepSourceSplits = true, TrainFraction = 0.9, ValidationFraction = 0.1, TestFraction = 0 }, header.Split);
        Assert.Equal("s3://bucket/fashion.tar", header.SourceUri);
    }

    [Fact]
    public async Task Showing_a_dataset_lists_its_latest_versions_classes()
    {
        var script = new ScriptedJobsServer.WatchScript
        {
            JobId = JobId,
            Dataset = new Dataset { Id = "fashion", TaskType = TaskType.Classification, LatestVersionId = "v2", VersionCount = 2 },
        };
        script.Versions.Add(new DatasetVersion { DatasetId = "fashion", VersionId = "v1", ClassNames = { "cat", "dog" } });
        script.Versions.Add(new DatasetVersion { DatasetId = "fashion", VersionId = "v2", ClassNames = { "T-shirt/top", "Trouser", "Ankle boot" } });
        await using var server = await ScriptedJobsServer.StartAsync(script);

        var (code, output, error) = await RunAsync(server, "datasets", "show", "fashion");

        Assert.True(code == 0, error);
        var classes = Assert.Single(output.Split('\n'), l => l.StartsWith("Classes:", StringComparison.Ordinal));
        Assert.EndsWith("T-shirt/top, Trouser, Ankle boot (latest version, v2)", classes.TrimEnd());

        // A dataset without versions has no classes yet.
        script.Dataset = new Dataset { Id = "fashion", TaskType = TaskType.Classification };
        (code, output, error) = await RunAsync(server, "datasets", "show", "fashion");
        Assert.True(code == 0, error);
        Assert.EndsWith("-", Assert.Single(output.Split('\n'), l => l.StartsWith("Classes:", StringComparison.Ordinal)).TrimEnd());
    }

    [Fact]
    public async Task Watch_reconnects_after_the_stream_breaks_and_ends_with_the_final_state_and_curves()
    {
        var script = Script(JobState.Succeeded);
        await using var server = await ScriptedJobsServer.StartAsync(script);

        var (code, output, error) = await RunAsync(server, "jobs", "watch", JobId, "--reconnect-delay", "0.01");

        Assert.True(code == 0, error + output);
        Assert.Equal(3, script.WatchCalls); // broken with UNAVAILABLE, ended early without a terminal state, then to the end
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains($"job/{JobId} running (attempt 1), epoch 1/2", lines);
        Assert.Contains(lines, l => l.Contains("training epoch 1/2 step 10/200") && l.Contains("samples/s"));
        Assert.Contains(lines, l => l.StartsWith("watch interrupted (Unavailable: the orchestrator is stopping); reconnecting in", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("watch interrupted (the stream ended before the job did)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("reconnected to the orchestrator at", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.EndsWith("epoch 1 done: train/loss=0.6  validation/accuracy=0.85", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.EndsWith("running -> succeeded (attempt 1)", StringComparison.Ordinal));
        Assert.Contains("train/loss by step: 0.3 (min 0.3, max 2.3, 4 points)", lines);
        Assert.Contains("validation/accuracy by epoch: 0.9 (min 0.85, max 0.9, 2 points)", lines);
        Assert.Contains(lines, l => l.Contains('┤') && l.Any(ch => ch is > '\u2800' and <= '\u28FF'));
        Assert.Equal($"job/{JobId} ended succeeded model=fashion-cnn:2 test/accuracy=0.91", lines.Last(l => l.Length > 0));
    }

    [Fact]
    public async Task Watch_of_a_failed_job_exits_1_with_the_error()
    {
        await using var server = await ScriptedJobsServer.StartAsync(Script(JobState.Failed));

        var (code, output, error) = await RunAsync(server, "jobs", "watch", JobId, "--reconnect-delay", "0.01");

        Assert.Equal(1, code);
        Assert.EndsWith($"job/{JobId} ended failed: out of memory", output.TrimEnd());
        Assert.Equal($"error: job/{JobId} failed", error.Trim());
    }

    [Fact]
    public async Task Watch_with_json_output_prints_one_event_per_line_and_reconnects_quietly_on_stderr()
    {
        var script = Script(JobState.Succeeded);
        await using var server = await ScriptedJobsServer.StartAsync(script);

        var (code, output, error) = await RunAsync(server, "jobs", "watch", JobId, "-o", "json", "--reconnect-delay", "0.01");

        Assert.True(code == 0, error);
        var kinds = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(e => e.EnumerateObject().Select(p => p.Name).Single(n => n is "snapshot" or "progress" or "stateChanged" or "epochCompleted"))
            .ToList();
        Assert.Equal(["snapshot", "progress", "snapshot", "snapshot", "epochCompleted", "stateChanged"], kinds);
        Assert.Contains("watch interrupted (Unavailable", error);
    }

    [Fact]
    public async Task Watch_gives_up_when_the_orchestrator_stays_away_and_says_how_to_check_the_job()
    {
        var script = new ScriptedJobsServer.WatchScript { JobId = JobId }; // no stream: every WatchJob is UNAVAILABLE
        await using var server = await ScriptedJobsServer.StartAsync(script);

        var (code, _, error) = await RunAsync(server, "jobs", "watch", JobId, "--reconnect-delay", "0.01", "--give-up-after", "0.2");

        Assert.Equal(1, code);
        Assert.Contains(
            $"lost the watch of job/{JobId} for more than 0 s (Unavailable: the orchestrator is stopping; the orchestrator at {new Uri(server.Address)})", error);
        Assert.Contains($"cauchy jobs get {JobId}", error);
        Assert.True(script.WatchCalls >= 3, $"{script.WatchCalls} tries");
    }

    [Fact]
    public async Task Watching_an_unknown_job_fails_at_once()
    {
        await using var server = await ScriptedJobsServer.StartAsync(new ScriptedJobsServer.WatchScript { JobId = JobId });

        var (code, _, error) = await RunAsync(server, "jobs", "watch", "nope", "--reconnect-delay", "0.01");

        Assert.Equal(1, code);
        Assert.Equal("error: job 'nope' does not exist (NOT_FOUND)", error.Trim());
        Assert.Equal(0, server.Script.WatchCalls);
    }

    [Fact]
    public void A_braille_chart_draws_a_falling_line_from_the_top_left_to_the_bottom_right()
    {
        var rows = BrailleChart.Plot([(0, 1.0), (1, 0.0)], width: 2, height: 1);

        // 4 dot columns × 4 dot rows: the line passes through every row, from the top-left dot to the bottom-right one.
        var row = Assert.Single(rows);
        Assert.Equal(2, row.Length);
        Assert.True(((row[0] - 0x2800) & 0x01) != 0, "top-left dot");
        Assert.True(((row[1] - 0x2800) & 0x80) != 0, "bottom-right dot");
        Assert.Equal("⠀⠀⠀", BrailleChart.Plot([], 3, 2)[1]);
    }

    private static ScriptedJobsServer.WatchScript Script(JobState end)
    {
        var running = new Job
        {
            Id = JobId,
            State = JobState.Running,
            Attempt = 1,
            Progress = new JobProgress { Phase = JobPhase.Training, Epoch = 1, TotalEpochs = 2, Step = 5, TotalSteps = 200 },
        };
        JobEvent Event(Action<JobEvent> set)
        {
            var e = new JobEvent { JobId = JobId, Time = Timestamp.FromDateTime(new DateTime(2026, 12, 7, 5, 0, 0, DateTimeKind.Utc)) };
            set(e);
            return e;
        }

        var script = new ScriptedJobsServer.WatchScript { JobId = JobId };
        script.Streams.Add((
            [Event(e => e.Snapshot = running), Event(e => e.Progress = new JobProgress { Phase = JobPhase.Training, Epoch = 1, TotalEpochs = 2, Step = 10, TotalSteps = 200, SamplesPerSecond = 812.4 })],
            new Status(StatusCode.Unavailable, "the orchestrator is stopping")));
        script.Streams.Add(([Event(e => e.Snapshot = running)], null));
        var epoch = new EpochCompleted { Epoch = 1 };
        epoch.Metrics.Add(new MetricValue { Name = "validation/accuracy", Value = 0.85 });
        epoch.Metrics.Add(new MetricValue { Name = "train/loss", Value = 0.6 });
        script.Streams.Add((
            [Event(e => e.Snapshot = running), Event(e => e.EpochCompleted = epoch),
             Event(e => e.StateChanged = new JobStateChange { PreviousState = JobState.Running, State = end, Attempt = 1 })],
            null));
        var final = running.Clone();
        final.State = end;
        if (end == JobState.Succeeded)
        {
            final.ResultModelVersion = new ModelVersionRef { ModelName = "fashion-cnn", Version = 2 };
            final.LastMetrics.Add(new MetricValue { Name = "validation/accuracy", Value = 0.9 });
            final.LastMetrics.Add(new MetricValue { Name = "test/accuracy", Value = 0.91 });
        }
        else
        {
            final.ErrorMessage = "out of memory";
        }

        script.Final = final;
        var loss = new MetricSeries { Name = "train/loss" };
        loss.Points.Add(new[] { 2.3, 1.0, 0.5, 0.3 }.Select((v, i) => new MetricValue { Name = "train/loss", Value = v, Step = i * 50, Epoch = 1 + (i / 2) }));
        var accuracy = new MetricSeries { Name = "validation/accuracy" };
        accuracy.Points.Add(new MetricValue { Name = "validation/accuracy", Value = 0.85, Step = 100, Epoch = 1 });
        accuracy.Points.Add(new MetricValue { Name = "validation/accuracy", Value = 0.9, Step = 200, Epoch = 2 });
        script.Series.Add(accuracy);
        script.Series.Add(loss);
        return script;
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(ScriptedJobsServer server, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new Dictionary<string, string?> { ["CAUCHY_JOBS_ADDRESS"] = server.Address, ["CAUCHY_DATASETS_ADDRESS"] = server.Address };
        var code = await CauchyCli.RunAsync(args, output, error, environment.GetValueOrDefault, interactive: false);
        return (code, output.ToString(), error.ToString());
    }
}
