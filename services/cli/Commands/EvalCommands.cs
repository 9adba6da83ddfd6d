using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Cauchy.Cli.Coco;
using Cauchy.Cli.Output;
using Cauchy.V1;
using Spectre.Console;

namespace Cauchy.Cli.Commands;

/// <summary><c>cauchy eval show|list|coco</c>.</summary>
public static class EvalCommands
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var eval = new Command("eval", "Run and inspect evaluations");
        eval.Aliases.Add("evaluations");
        eval.Subcommands.Add(ShowCommand(context));
        eval.Subcommands.Add(ListCommand(context));
        eval.Subcommands.Add(CocoCommand(context));
        return eval;
    }

    private static Command CocoCommand(Func<ParseResult, CliContext> context)
    {
        var annotations = new Option<string>("--annotations") { Description = "COCO ground-truth file (images, categories, annotations)", Required = true };
        var results = new Option<string>("--results") { Description = "COCO results file (a list of detections)", Required = true };
        var iouType = new Option<string>("--iou-type") { Description = "bbox, segm or keypoints", DefaultValueFactory = _ => "bbox" };
        var classAgnostic = new Option<bool>("--class-agnostic") { Description = "Match detections to objects of any category" };
        var iouThresholds = new Option<string?>("--iou-thresholds") { Description = "Comma-separated IoU thresholds (default 0.50:0.05:0.95)" };
        var maxDets = new Option<string?>("--max-dets") { Description = "Comma-separated detections per image (default 1,10,100; keypoints 20)" };
        var command = new Command("coco", "Evaluate a COCO results file against a COCO ground-truth file, as pycocotools does")
        {
            annotations, results, iouType, classAgnostic, iouThresholds, maxDets,
        };
        command.SetServiceAction("metrics", async (parse, ct) =>
        {
            var c = context(parse);
            var type = parse.GetValue(iouType) switch
            {
                "bbox" => CocoIouType.Bbox,
                "segm" => CocoIouType.Segm,
                "keypoints" => CocoIouType.Keypoints,
                var other => throw new CliException($"--iou-type: '{other}' is not bbox, segm or keypoints"),
            };
            CocoFiles files;
            try
            {
                files = CocoFiles.Read(parse.GetValue(annotations)!, parse.GetValue(results)!, type);
            }
            catch (Exception ex) when (ex is JsonException or IOException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new CliException($"reading the COCO files: {ex.Message}");
            }

            var options = new CocoOptions { IouType = type, ClassAgnostic = parse.GetValue(classAgnostic) };
            options.Categories.AddRange(files.Categories);
            options.IouThresholds.AddRange(Numbers(parse.GetValue(iouThresholds), "--iou-thresholds", double.Parse));
            options.MaxDetections.AddRange(Numbers(parse.GetValue(maxDets), "--max-dets", int.Parse));

            using var call = Client(c).Evaluate(cancellationToken: ct);
            await call.RequestStream.WriteAsync(new EvaluateRequest { Header = new EvaluationHeader { Kind = EvaluationKind.DetectionCoco, Coco = options } }, ct);
            foreach (var batch in files.Batches())
            {
                await call.RequestStream.WriteAsync(new EvaluateRequest { Batch = new PredictionBatch { Coco = batch } }, ct);
            }

            await call.RequestStream.CompleteAsync();
            var evaluation = (await call.ResponseAsync).Evaluation;
            var result = evaluation.Detection;
            if (c.Out.Format == OutputFormat.Json)
            {
                var json = new
                {
                    evaluation_id = evaluation.Id,
                    stats = result.Stats,
                    per_class = result.PerClass.Select(p => new { category_id = p.ClassId, name = p.ClassName, ap = p.Ap, ap50 = p.Ap50, ar100 = p.Ar100 }),
                };
                c.Out.Writer.WriteLine(JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
                return;
            }

            foreach (var line in CocoSummaryText.Lines(result))
            {
                c.Out.Writer.WriteLine(line);
            }
        });
        return command;
    }

    private static T[] Numbers<T>(string? list, string option, Func<string, IFormatProvider, T> parse)
    {
        if (string.IsNullOrWhiteSpace(list))
        {
            return [];
        }

        try
        {
            return [.. list.Split(',', StringSplitOptions.TrimEntries).Select(v => parse(v, CultureInfo.InvariantCulture))];
        }
        catch (FormatException)
        {
            throw new CliException($"{option}: '{list}' is not a comma-separated list of numbers");
        }
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
