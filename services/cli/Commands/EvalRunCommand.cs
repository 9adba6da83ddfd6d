using System.CommandLine;
using System.Text.Json;
using Cauchy.Cli.Coco;
using Cauchy.Cli.Voc;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Cauchy.Cli.Commands;

/// <summary>
/// <c>cauchy eval run</c>: evaluates a predictions file (or folder) against a split of an imported dataset version.
/// Only the predictions travel; the metrics service reads the ground truth from the datasets service and stores the
/// evaluation with the version, the split and the predictions' SHA-256.
/// </summary>
public static class EvalRunCommand
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var dataset = new Option<string>("--dataset") { Description = "The ground truth: DATASET@VERSION", Required = true };
        var split = new Option<string>("--split") { Description = "train, validation or test", DefaultValueFactory = _ => "test" };
        var predictions = new Option<string>("--predictions")
        {
            Description = "coco-bbox: a COCO results file; voc: VOC results files (<comp>_det_<set>_<class>.txt) or their folder; segmentation: a folder of predicted PNG masks named like the samples",
            Required = true,
        };
        var kind = new Option<string>("--kind") { Description = "coco-bbox, coco-segm, voc or segmentation", Required = true };
        var elevenPoint = new Option<bool>("--voc2007") { Description = "voc: VOC2007's 11-point interpolated AP" };
        var command = new Command("run", "Evaluate predictions against a split of an imported dataset version, and store the evaluation with its lineage")
        {
            dataset, split, predictions, kind, elevenPoint,
        };
        command.SetServiceAction("metrics", async (parse, ct) =>
        {
            var c = context(parse);
            var text = parse.GetValue(dataset)!;
            var at = text.IndexOf('@');
            if (at <= 0 || at == text.Length - 1)
            {
                throw new CliException($"--dataset: '{text}' does not name a dataset version; write DATASET@VERSION (cauchy datasets show DATASET lists them)");
            }

            var path = parse.GetValue(predictions)!;
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new CliException($"--predictions: {path} is neither a file nor a folder");
            }

            var header = new EvaluationHeader
            {
                GroundTruth = new DatasetGroundTruth
                {
                    DatasetId = text[..at],
                    VersionId = text[(at + 1)..],
                    Split = CommandHelpers.ParseEnum<Split>(parse.GetValue(split)!, "split"),
                },
                PredictionsSha256 = PredictionsDigest.Of(path),
            };
            IEnumerable<PredictionBatch> batches;
            switch (parse.GetValue(kind))
            {
                case "coco-bbox" or "coco-segm":
                    var iouType = parse.GetValue(kind) == "coco-bbox" ? CocoIouType.Bbox : CocoIouType.Segm;
                    header.Kind = EvaluationKind.DetectionCoco;
                    header.Coco = new CocoOptions { IouType = iouType };
                    batches = CocoBatches(path, iouType);
                    break;
                case "voc":
                    header.Kind = EvaluationKind.DetectionVoc;
                    header.Detection = new DetectionOptions { Voc11Point = parse.GetValue(elevenPoint) };
                    var classNames = await ClassNamesAsync(c, header.GroundTruth, ct);
                    batches = VocBatches(path, classNames);
                    break;
                case "segmentation":
                    header.Kind = EvaluationKind.Segmentation;
                    batches = MaskBatches(path);
                    break;
                case var other:
                    throw new CliException($"--kind: '{other}' is not coco-bbox, coco-segm, voc or segmentation");
            }

            var evaluation = await EvalCommands.EvaluateAsync(c, header, batches, ct);
            c.Out.Item(evaluation, () => EvalCommands.Render(evaluation));
        });
        return command;
    }

    private static List<PredictionBatch> CocoBatches(string path, CocoIouType iouType)
    {
        IReadOnlyList<CocoImage> images;
        try
        {
            using var results = JsonDocument.Parse(File.ReadAllBytes(path));
            images = CocoFiles.ReadResults(results.RootElement, iouType, path);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new CliException($"reading the COCO results file: {ex.Message}");
        }

        return [.. images.Chunk(256).Select(chunk => new PredictionBatch { Coco = new CocoImages { Images = { chunk } } })];
    }

    private static List<PredictionBatch> VocBatches(string path, IReadOnlyList<string> classNames)
    {
        try
        {
            return [.. VocFiles.ReadResults(path, classNames).Chunk(64).Select(chunk => new PredictionBatch { Detection = new DetectionPredictions { Samples = { chunk } } })];
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            throw new CliException($"reading the VOC results: {ex.Message}");
        }
    }

    /// <summary>One mask per batch, read as it is sent; a mask's sample id is its path in the folder without ".png".</summary>
    private static IEnumerable<PredictionBatch> MaskBatches(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new CliException($"--predictions: {folder} is not a folder of PNG masks");
        }

        var masks = Directory.GetFiles(folder, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        if (masks.Count == 0)
        {
            throw new CliException($"--predictions: {folder} holds no .png file");
        }

        return masks.Select(mask => new PredictionBatch
        {
            Segmentation = new SegmentationPredictions
            {
                Samples =
                {
                    new SegmentationSample
                    {
                        SampleId = Path.GetRelativePath(folder, mask)[..^".png".Length].Replace('\\', '/'),
                        Predicted = new SegmentationMask { Encoding = ImageEncoding.Png, Data = ByteString.CopyFrom(File.ReadAllBytes(mask)) },
                    },
                },
            },
        });
    }

    /// <summary>VOC results files name their class: the version's class names give each its id.</summary>
    private static async Task<IReadOnlyList<string>> ClassNamesAsync(CliContext c, DatasetGroundTruth truth, CancellationToken ct)
    {
        try
        {
            var client = c.Client("datasets", invoker => new Datasets.DatasetsClient(invoker));
            var version = (await client.GetDatasetVersionAsync(
                new GetDatasetVersionRequest { DatasetId = truth.DatasetId, VersionId = truth.VersionId }, deadline: c.Deadline(), cancellationToken: ct)).Version;
            return version.ClassNames;
        }
        catch (RpcException ex)
        {
            ex.Data["cauchy.service"] = "datasets";
            throw;
        }
    }
}
