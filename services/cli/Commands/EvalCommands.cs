using System.CommandLine;
using Cauchy.Cli.Output;
using Cauchy.V1;
using Spectre.Console;

namespace Cauchy.Cli.Commands;

/// <summary><c>cauchy eval show|list</c>.</summary>
public static class EvalCommands
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var eval = new Command("eval", "Inspect evaluations");
        eval.Aliases.Add("evaluations");
        eval.Subcommands.Add(ShowCommand(context));
        eval.Subcommands.Add(ListCommand(context));
        return eval;
    }

    private static V1.Metrics.MetricsClient Client(CliContext c) => c.Client("metrics", invoker => new V1.Metrics.MetricsClient(invoker));

    private static Command ListCommand(Func<ParseResult, CliContext> context)
    {
        var job = new Option<string?>("--job") { Description = "Only evaluations of this job" };
        var model = new Option<string?>("--model") { Description = "Only evaluations of NAME (every version) or NAME:VERSION" };
        var command = new Command("list", "List evaluations, newest first") { job, model };
        command.Aliases.Add("ls");
        command.SetServiceAction("metrics", async (parse, ct) =>
        {
            var c = context(parse);
            var request = new ListEvaluationsRequest { PageSize = 100, JobId = parse.GetValue(job) ?? "" };
            if (parse.GetValue(model) is { } m)
            {
                var (name, version) = m.Contains(':') ? CommandHelpers.ParseModelVersion(m) : (m, 0);
                request.ModelVersion = new ModelVersionRef { ModelName = name, Version = version };
            }

            var page = await Client(c).ListEvaluationsAsync(request, deadline: c.Deadline(), cancellationToken: ct);
            c.Out.List(page.Evaluations, ["ID", "KIND", "JOB", "EPOCH", "SAMPLES", "SUMMARY", "AGE"], e =>
                [e.Id, Show.Enum(e.Kind), e.JobId.Length == 0 ? "-" : e.JobId, e.Epoch.ToString(), e.SampleCount.ToString(),
                 string.Join(" ", e.Summary.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={Show.Number(kv.Value)}")), Show.Age(e.CreateTime)]);
        });
        return command;
    }

    private static Command ShowCommand(Func<ParseResult, CliContext> context)
    {
        var id = new Argument<string>("id") { Description = "Evaluation id" };
        var command = new Command("show", "Show an evaluation: summary, per-class scores and confusion matrix") { id };
        command.Aliases.Add("get");
        command.SetServiceAction("metrics", async (parse, ct) =>
        {
            var c = context(parse);
            var evaluation = (await Client(c).GetEvaluationAsync(new GetEvaluationRequest { EvaluationId = parse.GetValue(id)! }, deadline: c.Deadline(), cancellationToken: ct)).Evaluation;
            c.Out.Item(evaluation, () => Render(evaluation));
        });
        return command;
    }

    internal static Rows Render(Evaluation e)
    {
        var parts = new List<Spectre.Console.Rendering.IRenderable>
        {
            Printer.Fields(
                ("Id", e.Id),
                ("Kind", Show.Enum(e.Kind)),
                ("Job", e.JobId.Length == 0 ? "-" : e.JobId),
                ("Model", e.ModelVersion is { } m ? $"{m.ModelName}:{m.Version}" : "-"),
                ("Dataset", e.DatasetVersion is { } d ? $"{d.DatasetId}@{d.VersionId} ({Show.Enum(e.Split)})" : "-"),
                ("Epoch", e.Epoch.ToString()),
                ("Samples", e.SampleCount.ToString()),
                ("Summary", string.Join("  ", e.Summary.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={Show.Number(kv.Value)}")))),
        };
        if (e.Classification is { } r)
        {
            var perClass = new Table().Border(TableBorder.None).AddColumns("CLASS", "PRECISION", "RECALL", "F1", "SUPPORT");
            foreach (var pc in r.PerClass)
            {
                perClass.AddRow(Markup.Escape(pc.ClassName), Show.Number(pc.Precision), Show.Number(pc.Recall), Show.Number(pc.F1), pc.Support.ToString());
            }

            perClass.AddRow("macro avg", Show.Number(r.MacroAverage.Precision), Show.Number(r.MacroAverage.Recall), Show.Number(r.MacroAverage.F1), "");
            perClass.AddRow("weighted avg", Show.Number(r.WeightedAverage.Precision), Show.Number(r.WeightedAverage.Recall), Show.Number(r.WeightedAverage.F1), "");
            parts.Add(new Text(""));
            parts.Add(perClass);

            var n = r.NumClasses;
            var confusion = new Table().Border(TableBorder.None).AddColumn("true \\ predicted");
            for (var p = 0; p < n; p++)
            {
                confusion.AddColumn(new TableColumn(p.ToString()).RightAligned());
            }

            for (var t = 0; t < n; t++)
            {
                confusion.AddRow([Markup.Escape($"{t} {e.ClassNames[t]}"), .. Enumerable.Range(0, n).Select(p => r.ConfusionMatrix[t * n + p].ToString())]);
            }

            parts.Add(new Text(""));
            parts.Add(confusion);
        }

        return new Rows(parts);
    }
}
