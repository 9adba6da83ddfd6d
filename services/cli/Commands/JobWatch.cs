using System.Diagnostics;
using Cauchy.Cli.Output;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Core;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Cauchy.Cli.Commands;

/// <summary>How <c>jobs watch</c> behaves when the orchestrator goes away.</summary>
public sealed record WatchSettings
{
    /// <summary>The first wait before reconnecting; it doubles after every failed try, up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromSeconds(0.5);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Give up when no event has arrived for this long while reconnecting.</summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Without a terminal, a progress line at most this often (every epoch's first is always printed).</summary>
    public TimeSpan TextProgressEvery { get; init; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Follows one job through WatchJob until it ends, and redraws what it learns: in a terminal a live view (state,
/// progress bar, braille charts of the step-level training loss and per-epoch validation accuracy from
/// GetJobMetrics); without one, plain text lines and the charts after each epoch; with <c>-o json</c>, each event as
/// one line of JSON. When the stream breaks (an orchestrator restart, a network blip) it reconnects with
/// exponential backoff; WatchJob starts every stream with a snapshot, so nothing is missed but progress reports.
/// </summary>
public sealed class JobWatch(CliContext c, string jobId, WatchSettings settings)
{
    private static readonly JsonFormatter JsonLine = new(JsonFormatter.Settings.Default);
    private readonly Curves _curves = new();
    private readonly List<string> _recent = [];
    private readonly Stopwatch _sinceProgressLine = new();
    private Job? _job;
    private JobProgress? _progress;
    private int _progressLineEpoch = -1;
    private DateTime _metricsFetched = DateTime.MinValue;
    private string? _chartsPrinted;

    public JobState State { get; private set; } = JobState.Unspecified;

    private Jobs.JobsClient Client => c.Client("jobs", invoker => new Jobs.JobsClient(invoker));

    private static bool IsTerminal(JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    /// <summary>Watches until the job ends; returns its final state.</summary>
    public async Task<JobState> RunAsync(CancellationToken ct)
    {
        if (c.Out.Format == OutputFormat.Table && c.Out.Interactive)
        {
            await c.Out.Console.Live(View()).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).StartAsync(async live =>
                await FollowAsync(() => live.UpdateTarget(View()), ct));
        }
        else
        {
            await FollowAsync(() => { }, ct);
        }

        await FinishAsync(ct);
        return State;
    }

    private async Task FollowAsync(Action redraw, CancellationToken ct)
    {
        var failures = 0;
        var lostSince = (DateTime?)null;
        while (true)
        {
            string why;
            try
            {
                using var call = Client.WatchJob(new WatchJobRequest { JobId = jobId }, cancellationToken: ct);
                while (await call.ResponseStream.MoveNext(ct))
                {
                    if (lostSince is not null)
                    {
                        Note($"reconnected to the orchestrator at {c.Addresses.For("jobs")}");
                    }

                    failures = 0;
                    lostSince = null;
                    await OnEventAsync(call.ResponseStream.Current.Event, ct);
                    redraw();
                }

                if (IsTerminal(State))
                {
                    return;
                }

                why = "the stream ended before the job did";
            }
            catch (RpcException e) when (!ct.IsCancellationRequested && IsTransient(e.StatusCode))
            {
                why = $"{e.StatusCode}: {e.Status.Detail}";
            }

            lostSince ??= DateTime.UtcNow;
            if (DateTime.UtcNow - lostSince > settings.GiveUpAfter)
            {
                throw new CliException(
                    $"lost the watch of job/{jobId} for more than {settings.GiveUpAfter.TotalSeconds:0} s ({why}; the orchestrator at {c.Addresses.For("jobs")}); the job may still be running: cauchy jobs get {jobId}");
            }

            var delay = TimeSpan.FromTicks(Math.Min(settings.MaxDelay.Ticks, settings.InitialDelay.Ticks * (1L << Math.Min(failures, 20))));
            failures++;
            Note($"watch interrupted ({why}); reconnecting in {delay.TotalSeconds:0.#} s");
            redraw();
            await Task.Delay(delay, ct);
        }
    }

    /// <summary>Statuses after which a fresh WatchJob may succeed: the server went away or is restarting.</summary>
    internal static bool IsTransient(StatusCode code) =>
        code is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.Aborted
            or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted or StatusCode.Cancelled;

    private async Task OnEventAsync(JobEvent e, CancellationToken ct)
    {
        if (c.Out.Format == OutputFormat.Json)
        {
            await c.Out.Writer.WriteLineAsync(JsonLine.Format(e));
            await c.Out.Writer.FlushAsync(ct);
        }

        switch (e.KindCase)
        {
            case JobEvent.KindOneofCase.Snapshot:
                _job = e.Snapshot;
                State = _job.State;
                _progress = _job.Progress;
                Note($"job/{jobId} {Show.Enum(State)} (attempt {_job.Attempt}){(_job.Progress is { TotalEpochs: > 0 } p ? $", epoch {p.Epoch}/{p.TotalEpochs}" : "")}");
                await RefreshMetricsAsync(force: true, ct);
                break;
            case JobEvent.KindOneofCase.StateChanged:
                State = e.StateChanged.State;
                var reason = e.StateChanged.Reason.Length == 0 ? "" : $": {e.StateChanged.Reason}";
                Note($"{Show.Time(e.Time)} {Show.Enum(e.StateChanged.PreviousState)} -> {Show.Enum(State)} (attempt {e.StateChanged.Attempt}){reason}");
                break;
            case JobEvent.KindOneofCase.Progress:
                _progress = e.Progress;
                if (c.Out.Format == OutputFormat.Table && !c.Out.Interactive
                    && (_progress.Epoch != _progressLineEpoch || !_sinceProgressLine.IsRunning || _sinceProgressLine.Elapsed >= settings.TextProgressEvery))
                {
                    _progressLineEpoch = _progress.Epoch;
                    _sinceProgressLine.Restart();
                    await c.Out.Writer.WriteLineAsync($"{Show.Time(e.Time)} {Describe(_progress)}");
                }

                await RefreshMetricsAsync(force: false, ct);
                break;
            case JobEvent.KindOneofCase.EpochCompleted:
                _curves.Add(e.EpochCompleted);
                Note($"{Show.Time(e.Time)} epoch {e.EpochCompleted.Epoch} done: {string.Join("  ", e.EpochCompleted.Metrics.OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => $"{m.Name}={Show.Number(m.Value)}"))}");
                await RefreshMetricsAsync(force: true, ct);
                if (c.Out.Format == OutputFormat.Table && !c.Out.Interactive)
                {
                    await WriteChartsAsync();
                }

                break;
        }
    }

    /// <summary>A line of history: printed at once without a terminal, kept under the live view with one.</summary>
    private void Note(string line)
    {
        if (c.Out.Format == OutputFormat.Json)
        {
            if (line.StartsWith("watch interrupted", StringComparison.Ordinal) || line.StartsWith("reconnected", StringComparison.Ordinal))
            {
                c.Error.WriteLine(line);
            }

            return;
        }

        if (!c.Out.Interactive)
        {
            c.Out.Writer.WriteLine(line);
            return;
        }

        _recent.Add(line);
        if (_recent.Count > 6)
        {
            _recent.RemoveAt(0);
        }
    }

    /// <summary>Fetches the recorded curves: on every snapshot and epoch, and in the live view at most every 3 s.</summary>
    private async Task RefreshMetricsAsync(bool force, CancellationToken ct)
    {
        if (c.Out.Format == OutputFormat.Json || (!force && (!c.Out.Interactive || DateTime.UtcNow - _metricsFetched < TimeSpan.FromSeconds(3))))
        {
            return;
        }

        _metricsFetched = DateTime.UtcNow;
        var request = new GetJobMetricsRequest { JobId = jobId };
        request.Names.AddRange(Curves.Charted.Select(x => x.Name));
        try
        {
            var response = await Client.GetJobMetricsAsync(request, deadline: c.Deadline(), cancellationToken: ct);
            _curves.Set(response.Series);
        }
        catch (RpcException e) when (IsTransient(e.StatusCode) && !ct.IsCancellationRequested)
        {
            // The curves are extras: the watch goes on, and the next epoch or snapshot fetches them again.
        }
    }

    /// <summary>Prints the charts as text, unless they are the ones printed last (the final epoch's, at the end).</summary>
    private async Task WriteChartsAsync()
    {
        var lines = _curves.Charts(60, 6);
        var text = string.Join('\n', lines);
        if (text == _chartsPrinted)
        {
            return;
        }

        _chartsPrinted = text;
        foreach (var line in lines)
        {
            await c.Out.Writer.WriteLineAsync(line);
        }
    }

    private async Task FinishAsync(CancellationToken ct)
    {
        if (c.Out.Format == OutputFormat.Json)
        {
            return;
        }

        try
        {
            _job = (await Client.GetJobAsync(new GetJobRequest { JobId = jobId }, deadline: c.Deadline(), cancellationToken: ct)).Job;
            State = _job.State;
        }
        catch (RpcException e) when (IsTransient(e.StatusCode) && !ct.IsCancellationRequested)
        {
            // The watch already saw the final state; the summary is only richer with the job itself.
        }

        if (!c.Out.Interactive)
        {
            await RefreshMetricsAsync(force: true, ct);
            await WriteChartsAsync();
        }

        var result = _job?.ResultModelVersion is { ModelName.Length: > 0 } r ? $" model={r.ModelName}:{r.Version}" : "";
        var metrics = _job is null ? "" : string.Concat(_job.LastMetrics.Where(m => m.Name.StartsWith("test/", StringComparison.Ordinal)).Select(m => $" {m.Name}={Show.Number(m.Value)}"));
        var error = _job?.ErrorMessage is { Length: > 0 } message ? $": {message}" : "";
        await c.Out.Writer.WriteLineAsync($"job/{jobId} ended {Show.Enum(State)}{result}{metrics}{error}");
    }

    private static string Describe(JobProgress p)
    {
        var eta = p.Eta is { } d && d.Seconds > 0 ? $", eta {TimeSpan.FromSeconds(d.Seconds):hh\\:mm\\:ss}" : "";
        return $"{Show.Enum(p.Phase)} epoch {p.Epoch}/{p.TotalEpochs} step {p.Step}/{p.TotalSteps} {Show.Number(Math.Round(p.SamplesPerSecond))} samples/s{eta}";
    }

    /// <summary>The live view: where the job is, a progress bar, the charts, the latest events.</summary>
    private IRenderable View()
    {
        var rows = new List<IRenderable>
        {
            new Markup($"[bold]job/{Markup.Escape(jobId)}[/] {Markup.Escape(Show.Enum(State))}{(_job?.Spec?.Model?.Architecture is { Length: > 0 } a ? Markup.Escape($" {a} on {_job.Spec.Dataset.DatasetId}") : "")}"),
        };
        if (_progress is { TotalSteps: > 0 } p)
        {
            var width = 40;
            var done = (int)Math.Clamp(p.Step * width / p.TotalSteps, 0, width);
            rows.Add(new Text($"[{new string('█', done)}{new string('░', width - done)}] {100.0 * p.Step / p.TotalSteps:0}%  {Describe(p)}"));
        }

        var chartWidth = Math.Clamp(c.Out.Console.Profile.Width - 14, 20, 100);
        rows.AddRange(_curves.Charts(chartWidth, 5).Select(line => new Text(line)));
        rows.AddRange(_recent.Select(line => new Text(line, new Style(Color.Grey))));
        return new Rows(rows);
    }
}
