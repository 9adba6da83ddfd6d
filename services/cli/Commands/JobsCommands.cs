using System.CommandLine;
using Cauchy.Cli.Output;
using Cauchy.V1;
using Spectre.Console;

namespace Cauchy.Cli.Commands;

/// <summary><c>cauchy jobs submit|list|get|watch|logs|cancel</c>.</summary>
public static class JobsCommands
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var jobs = new Command("jobs", "Submit, watch and manage training jobs");
        jobs.Aliases.Add("job");
        jobs.Subcommands.Add(SubmitCommand(context));
        jobs.Subcommands.Add(ListCommand(context));
        jobs.Subcommands.Add(GetCommand(context));
        jobs.Subcommands.Add(WatchCommand(context));
        jobs.Subcommands.Add(LogsCommand(context));
        jobs.Subcommands.Add(CancelCommand(context));
        return jobs;
    }

    private static Jobs.JobsClient Client(CliContext c) => c.Client("jobs", invoker => new Jobs.JobsClient(invoker));

    private static Command SubmitCommand(Func<ParseResult, CliContext> context)
    {
        var file = new Option<string>("--filename", "-f") { Description = "Hypes file (YAML or JSON); - reads stdin", Required = true };
        var key = new Option<string?>("--idempotency-key") { Description = "Makes a retried submit return the first job instead of creating another" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only validate and resolve; print the job that would be queued" };
        var command = new Command("submit", "Submit a training job from a hypes file") { file, key, dryRun };
        command.SetServiceAction("jobs", async (parse, ct) =>
        {
            var c = context(parse);
            var path = parse.GetValue(file)!;
            var text = path == "-" ? await Console.In.ReadToEndAsync(ct)
                : File.Exists(path) ? await File.ReadAllTextAsync(path, ct)
                : throw new CliException($"hypes file '{path}' does not exist");
            var format = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? HypesFormat.Json
                : path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) ? HypesFormat.Yaml
                : HypesFormat.Unspecified;
            var response = await Client(c).SubmitJobAsync(
                new SubmitJobRequest
                {
                    Hypes = new HypesDocument { Text = text, Format = format },
                    IdempotencyKey = parse.GetValue(key) ?? "",
                    ValidateOnly = parse.GetValue(dryRun),
                },
                deadline: c.Deadline(),
                cancellationToken: ct);
            var verb = parse.GetValue(dryRun) ? "validated (dry run)" : response.AlreadyExisted ? "already submitted" : "submitted";
            var name = response.Job.Id.Length == 0 ? "job" : $"job/{response.Job.Id}";
            c.Out.Done($"{name} {verb}: {response.Job.Spec.Model.Architecture} on {response.Job.Spec.Dataset.DatasetId}@{response.Job.Spec.Dataset.VersionId}", response.Job);
        });
        return command;
    }

    private static Command ListCommand(Func<ParseResult, CliContext> context)
    {
        var state = new Option<string[]>("--state") { Description = "Only jobs in these states", AllowMultipleArgumentsPerToken = true };
        var dataset = new Option<string?>("--dataset") { Description = "Only jobs training on this dataset" };
        var command = new Command("list", "List jobs, newest first") { state, dataset };
        command.Aliases.Add("ls");
        command.SetServiceAction("jobs", async (parse, ct) =>
        {
            var c = context(parse);
            var request = new ListJobsRequest { PageSize = 100, DatasetId = parse.GetValue(dataset) ?? "" };
            request.States.AddRange((parse.GetValue(state) ?? []).Select(s => CommandHelpers.ParseEnum<JobState>(s, "job state")));
            var page = await Client(c).ListJobsAsync(request, deadline: c.Deadline(), cancellationToken: ct);
            c.Out.List(page.Jobs, ["ID", "NAME", "STATE", "MODEL", "EPOCH", "ATTEMPT", "AGE"], j =>
            [
                j.Id,
                j.Spec?.DisplayName is { Length: > 0 } n ? n : "-",
                Show.Enum(j.State),
                j.Spec?.Model?.Architecture ?? "-",
                j.Progress is { TotalEpochs: > 0 } p ? $"{p.Epoch}/{p.TotalEpochs}" : "-",
                j.Attempt.ToString(),
                Show.Age(j.CreateTime),
            ]);
        });
        return command;
    }

    private static Command GetCommand(Func<ParseResult, CliContext> context)
    {
        var id = new Argument<string>("id");
        var command = new Command("get", "Show one job") { id };
        command.Aliases.Add("show");
        command.SetServiceAction("jobs", async (parse, ct) =>
        {
            var c = context(parse);
            var job = (await Client(c).GetJobAsync(new GetJobRequest { JobId = parse.GetValue(id)! }, deadline: c.Deadline(), cancellationToken: ct)).Job;
            c.Out.Item(job, () => Describe(job));
        });
        return command;
    }

    internal static Spectre.Console.Rendering.IRenderable Describe(Job job) => Printer.Fields(
        ("Id", job.Id),
        ("Name", job.Spec?.DisplayName is { Length: > 0 } n ? n : "-"),
        ("State", Show.Enum(job.State)),
        ("Model", job.Spec?.Model?.Architecture ?? "-"),
        ("Dataset", job.Spec?.Dataset is { } d ? $"{d.DatasetId}@{d.VersionId}" : "-"),
        ("Progress", job.Progress is { } p ? $"{Show.Enum(p.Phase)} epoch {p.Epoch}/{p.TotalEpochs} step {p.Step}/{p.TotalSteps} {Show.Number(p.SamplesPerSecond)} samples/s" : "-"),
        ("Metrics", string.Join("  ", job.LastMetrics.Select(m => $"{m.Name}={Show.Number(m.Value)}"))),
        ("Attempt", $"{job.Attempt} (failures {job.FailureCount})"),
        ("Worker", job.WorkerId.Length == 0 ? "-" : job.WorkerId),
        ("Result", job.ResultModelVersion is { } r ? $"{r.ModelName}:{r.Version}" : "-"),
        ("Error", job.ErrorMessage.Length == 0 ? "-" : job.ErrorMessage),
        ("Created", Show.Time(job.CreateTime)));

    private static Command WatchCommand(Func<ParseResult, CliContext> context)
    {
        var id = new Argument<string>("id");
        var giveUp = new Option<double>("--give-up-after")
        {
            Description = "Seconds to keep reconnecting when the orchestrator is unreachable before giving up",
            DefaultValueFactory = _ => 300,
        };
        var firstDelay = new Option<double>("--reconnect-delay")
        {
            Description = "Seconds before the first reconnect; doubles after each failed try, up to 10 s",
            DefaultValueFactory = _ => 0.5,
            Hidden = true,
        };
        var command = new Command(
            "watch",
            "Follow a job until it ends: state changes, progress and the loss and accuracy curves; exits 1 if it fails or is cancelled")
        {
            id, giveUp, firstDelay,
        };
        command.SetServiceAction("jobs", async (parse, ct) =>
        {
            var c = context(parse);
            var jobId = parse.GetValue(id)!;
            var settings = new WatchSettings
            {
                GiveUpAfter = TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(giveUp))),
                InitialDelay = TimeSpan.FromSeconds(Math.Clamp(parse.GetValue(firstDelay), 0.001, 10)),
            };
            var state = await new JobWatch(c, jobId, settings).RunAsync(ct);
            if (state is JobState.Failed or JobState.Cancelled)
            {
                throw new CliException($"job/{jobId} {Show.Enum(state)}");
            }
        });
        return command;
    }

    private static Command LogsCommand(Func<ParseResult, CliContext> context)
    {
        var id = new Argument<string>("id");
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep streaming new lines until the job ends" };
        var tail = new Option<long>("--tail") { Description = "Only the last N lines (0 = all)" };
        var command = new Command("logs", "Print a job's training log") { id, follow, tail };
        command.SetServiceAction("jobs", async (parse, ct) =>
        {
            var c = context(parse);
            using var call = Client(c).StreamLogs(
                new StreamLogsRequest { JobId = parse.GetValue(id)!, Follow = parse.GetValue(follow), TailLines = parse.GetValue(tail) }, cancellationToken: ct);
            while (await call.ResponseStream.MoveNext(ct))
            {
                foreach (var line in call.ResponseStream.Current.Lines)
                {
                    if (c.Out.Format == OutputFormat.Json)
                    {
                        c.Out.Done("", line);
                    }
                    else
                    {
                        await c.Out.Writer.WriteLineAsync(line.Text);
                    }
                }
            }
        });
        return command;
    }

    private static Command CancelCommand(Func<ParseResult, CliContext> context)
    {
        var id = new Argument<string>("id");
        var reason = new Option<string?>("--reason");
        var command = new Command("cancel", "Cancel a job") { id, reason };
        command.SetServiceAction("jobs", async (parse, ct) =>
        {
            var c = context(parse);
            var job = (await Client(c).CancelJobAsync(new CancelJobRequest { JobId = parse.GetValue(id)!, Reason = parse.GetValue(reason) ?? "" }, deadline: c.Deadline(), cancellationToken: ct)).Job;
            c.Out.Done($"job/{job.Id} {Show.Enum(job.State)}", job);
        });
        return command;
    }
}
