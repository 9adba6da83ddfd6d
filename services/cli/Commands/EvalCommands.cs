using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Cauchy.Cli.Coco;
using Cauchy.Cli.Output;
using Cauchy.Cli.Voc;
using Cauchy.V1;
using Spectre.Console;

namespace Cauchy.Cli.Commands;

/// <summary><c>cauchy eval show|list|coco|voc|segmentation|run</c>.</summary>
public static class EvalCommands
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var eval = new Command("eval", "Run and inspect evaluations");
        eval.Aliases.Add("evaluations");
        eval.Subcommands.Add(ShowCommand(context));
        eval.Subcommands.Add(ListCommand(context));
        eval.Subcommands.Add(CocoCommand(context));
        eval.Subcommands.Add(VocCommand(context));
        eval.Subcommands.Add(SegmentationCommand(context));
        eval.Subcommands.Add(EvalRunCommand.Create(context));
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

    private static Command VocCommand(Func<ParseResult, CliContext> context)
    {
        var annotations = new Option<string>("--annotations") { Description = "VOC annotation XML file, or a folder of them (an image's id is its file name)", Required = true };
        var results = new Option<string>("--results") { Description = "VOC results file (<comp>_det_<set>_<class>.txt: image_id confidence xmin ymin xmax ymax), or a folder of them", Required = true };
        var elevenPoint = new Option<bool>("--voc2007") { Description = "VOC2007's 11-point interpolated AP instead of the all-point AP of VOC2010 and later" };
        var iouThresholds = new Option<string?>("--iou-thresholds") { Description = "Comma-separated IoU thresholds for mAP (default 0.5)" };
        var command = new Command("voc", "Evaluate VOC detection results against VOC annotations, as the VOC devkit does (difficult objects ignored)")
        {
            annotations, results, elevenPoint, iouThresholds,
        };
        command.SetServiceAction("metrics", async (parse, ct) =>
        {
            var c = context(parse);
            VocFiles files;
            try
            {
                files = VocFiles.Read(parse.GetValue(annotations)!, parse.GetValue(results)!);
            }
            catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
            {
                throw new CliException($"reading the VOC files: {ex.Message}");
            }

            var header = new EvaluationHeader
            {
                Kind = EvaluationKind.DetectionVoc,
                Detection = new DetectionOptions { Voc11Point = parse.GetValue(elevenPoint) },
            };
            header.ClassNames.AddRange(files.ClassNames);
            header.Detection.IouThresholds.AddRange(Numbers(parse.GetValue(iouThresholds), "--iou-thresholds", double.Parse));
            var batches = files.Samples().Chunk(64).Select(chunk => new PredictionBatch { Detection = new DetectionPredictions { Samples = { chunk } } });
            var evaluation = await EvaluateAsync(c, header, batches, ct);
            var result = evaluation.Detection;
            if (c.Out.Format == OutputFormat.Json)
            {
                WriteJson(c, new
                {
                    evaluation_id = evaluation.Id,
                    map = result.Map,
                    map50 = result.Map50,
                    map75 = result.Map75,
                    per_class = result.PerClass.Select(p => new { class_name = p.ClassName, ap = p.Ap, ground_truth = p.GroundTruthCount, detections = p.DetectionCount }),
                });
                return;
            }

            var width = Math.Max(5, result.PerClass.Max(p => p.ClassName.Length));
            c.Out.Writer.WriteLine($"{"CLASS".PadRight(width)}  {"OBJECTS",8}  {"DETECTIONS",10}  {"AP",7}");
            foreach (var p in result.PerClass)
            {
                c.Out.Writer.WriteLine($"{p.ClassName.PadRight(width)}  {p.GroundTruthCount,8}  {p.DetectionCount,10}  {Score(p.Ap),7}");
            }

            var metric = parse.GetValue(elevenPoint) ? "VOC2007 11-point" : "all-point";
            c.Out.Writer.WriteLine($"mAP ({metric}, {evaluation.SampleCount} images): {Score(result.Map)}");
        });
        return command;
    }

    private static Command SegmentationCommand(Func<ParseResult, CliContext> context)
    {
        var groundTruth = new Option<string>("--ground-truth") { Description = "Folder of ground-truth PNG masks (grey or palette; values are class ids)", Required = true };
        var predictions = new Option<string>("--predictions") { Description = "Folder of predicted PNG masks, with the ground truth's file names", Required = true };
        var numClasses = new Option<int>("--num-classes") { Description = "Number of classes; mask values 0 to N-1 are class ids", Required = true };
        var ignoreIndex = new Option<int>("--ignore-index") { Description = "Ground-truth value of pixels to leave out", DefaultValueFactory = _ => 255 };
        var classNames = new Option<string?>("--class-names") { Description = "Comma-separated class names (default: the class ids)" };
        var command = new Command("segmentation", "Evaluate predicted segmentation masks against ground-truth masks: pixel accuracy, mean accuracy, mean IoU, frequency-weighted IoU")
        {
            groundTruth, predictions, numClasses, ignoreIndex, classNames,
        };
        command.Aliases.Add("seg");
        command.SetServiceAction("metrics", async (parse, ct) =>
        {
            var c = context(parse);
            var n = parse.GetValue(numClasses);
            if (n < 1)
            {
                throw new CliException($"--num-classes: must be at least 1, got {n}");
            }

            var names = parse.GetValue(classNames) is { } list
                ? list.Split(',', StringSplitOptions.TrimEntries)
                : [.. Enumerable.Range(0, n).Select(i => i.ToString(CultureInfo.InvariantCulture))];
            if (names.Length != n)
            {
                throw new CliException($"--class-names: {names.Length} names for {n} classes");
            }

            var pairs = MaskPairs(parse.GetValue(groundTruth)!, parse.GetValue(predictions)!);
            var header = new EvaluationHeader { Kind = EvaluationKind.Segmentation, Segmentation = new SegmentationOptions { IgnoreIndex = parse.GetValue(ignoreIndex) } };
            header.ClassNames.AddRange(names);

            // One image per batch: the masks are read as they are sent, so memory does not grow with the folder.
            var batches = pairs.Select(p => new PredictionBatch
            {
                Segmentation = new SegmentationPredictions
                {
                    Samples =
                    {
                        new SegmentationSample
                        {
                            SampleId = p.Name,
                            GroundTruth = new SegmentationMask { Encoding = ImageEncoding.Png, Data = Google.Protobuf.ByteString.CopyFrom(File.ReadAllBytes(p.Truth)) },
                            Predicted = new SegmentationMask { Encoding = ImageEncoding.Png, Data = Google.Protobuf.ByteString.CopyFrom(File.ReadAllBytes(p.Predicted)) },
                        },
                    },
                },
            });
            var evaluation = await EvaluateAsync(c, header, batches, ct);
            var result = evaluation.Segmentation;
            if (c.Out.Format == OutputFormat.Json)
            {
                WriteJson(c, new
                {
                    evaluation_id = evaluation.Id,
                    pixel_accuracy = result.PixelAccuracy,
                    mean_class_accuracy = result.MeanClassAccuracy,
                    mean_iou = result.MeanIou,
                    frequency_weighted_iou = result.FrequencyWeightedIou,
                    per_class = result.PerClass.Select(p => new { class_id = p.ClassId, class_name = p.ClassName, iou = p.Iou, accuracy = p.Accuracy, pixels = p.PixelCount }),
                });
                return;
            }

            var width = Math.Max(5, result.PerClass.Max(p => p.ClassName.Length));
            c.Out.Writer.WriteLine($"{"CLASS".PadRight(width)}  {"IOU",7}  {"ACCURACY",8}  {"PIXELS",10}");
            foreach (var p in result.PerClass)
            {
                c.Out.Writer.WriteLine($"{p.ClassName.PadRight(width)}  {Score(p.Iou),7}  {Score(p.Accuracy),8}  {p.PixelCount,10}");
            }

            c.Out.Writer.WriteLine($"pixel accuracy {Score(result.PixelAccuracy)}  mean accuracy {Score(result.MeanClassAccuracy)}  mean IoU {Score(result.MeanIou)}  frequency-weighted IoU {Score(result.FrequencyWeightedIou)}  ({evaluation.SampleCount} images)");
        });
        return command;
    }

    /// <summary>The ground truth's PNG files, each with the predicted file of the same name.</summary>
    private static List<(string Name, string Truth, string Predicted)> MaskPairs(string truthFolder, string predictedFolder)
    {
        foreach (var (folder, option) in new[] { (truthFolder, "--ground-truth"), (predictedFolder, "--predictions") })
        {
            if (!Directory.Exists(folder))
            {
                throw new CliException($"{option}: {folder} is not a folder");
            }
        }

        var truth = Directory.GetFiles(truthFolder, "*.png").Order(StringComparer.Ordinal).ToList();
        if (truth.Count == 0)
        {
            throw new CliException($"--ground-truth: {truthFolder} holds no .png file");
        }

        var pairs = truth.Select(t => (Name: Path.GetFileNameWithoutExtension(t), Truth: t, Predicted: Path.Combine(predictedFolder, Path.GetFileName(t)))).ToList();
        if (pairs.FirstOrDefault(p => !File.Exists(p.Predicted)) is { Truth: not null } missing)
        {
            throw new CliException($"--predictions: no {Path.GetFileName(missing.Truth)} for the ground truth's {missing.Truth}");
        }

        var extra = Directory.GetFiles(predictedFolder, "*.png").Select(Path.GetFileName).Except(truth.Select(Path.GetFileName)).Order(StringComparer.Ordinal).FirstOrDefault();
        if (extra is not null)
        {
            throw new CliException($"--predictions: {extra} has no ground truth in {truthFolder}");
        }

        return pairs;
    }

    internal static async Task<Evaluation> EvaluateAsync(CliContext c, EvaluationHeader header, IEnumerable<PredictionBatch> batches, CancellationToken ct)
    {
        using var call = Client(c).Evaluate(cancellationToken: ct);
        try
        {
            await call.RequestStream.WriteAsync(new EvaluateRequest { Header = header }, ct);
            foreach (var batch in batches)
            {
                await call.RequestStream.WriteAsync(new EvaluateRequest { Batch = batch }, ct);
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (Exception ex) when (ex is Grpc.Core.RpcException or InvalidOperationException && !ct.IsCancellationRequested)
        {
            // The service rejected the stream before reading all of it; its answer below says why.
        }

        return (await call.ResponseAsync).Evaluation;
    }

    private static void WriteJson(CliContext c, object value) =>
        c.Out.Writer.WriteLine(JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true }));

    private static string Score(double value) => value < 0 ? "-" : value.ToString("F4", CultureInfo.InvariantCulture);

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
        var dataset = new Option<string?>("--dataset") { Description = "Only evaluations against DATASET (every version) or DATASET@VERSION" };
        var command = new Command("list", "List evaluations, newest first") { job, model, dataset };
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

            if (parse.GetValue(dataset) is { } d)
            {
                var at = d.IndexOf('@');
                request.DatasetVersion = at < 0
                    ? new DatasetVersionRef { DatasetId = d }
                    : new DatasetVersionRef { DatasetId = d[..at], VersionId = d[(at + 1)..] };
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
                ("Ground truth", e.GroundTruthFromDataset ? "read from the dataset version by the metrics service" : "sent with the predictions"),
                ("Predictions", e.PredictionsSha256.Length == 0 ? "-" : $"sha256:{e.PredictionsSha256}"),
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

        if (e.Detection is { Stats.Count: > 0 } coco)
        {
            parts.Add(new Text(""));
            parts.Add(new Text(string.Join("\n", CocoSummaryText.Lines(coco))));
        }
        else if (e.Detection is { } detection)
        {
            var perClass = new Table().Border(TableBorder.None).AddColumns("CLASS", "OBJECTS", "DETECTIONS", "AP");
            foreach (var p in detection.PerClass)
            {
                perClass.AddRow(Markup.Escape(p.ClassName), p.GroundTruthCount.ToString(), p.DetectionCount.ToString(), Score(p.Ap));
            }

            parts.Add(new Text(""));
            parts.Add(perClass);
        }
        else if (e.Segmentation is { } segmentation)
        {
            var perClass = new Table().Border(TableBorder.None).AddColumns("CLASS", "IOU", "ACCURACY", "PIXELS");
            foreach (var p in segmentation.PerClass)
            {
                perClass.AddRow(Markup.Escape(p.ClassName), Score(p.Iou), Score(p.Accuracy), p.PixelCount.ToString());
            }

            parts.Add(new Text(""));
            parts.Add(perClass);
        }

        return new Rows(parts);
    }
}
