using System.Globalization;
using Cauchy.Domain;
using Cauchy.Metrics.Datasets;
using Cauchy.V1;
using Microsoft.Extensions.Options;

namespace Cauchy.Metrics.Evaluations;

/// <summary>
/// An evaluation against an imported dataset version (<see cref="EvaluationHeader.GroundTruth"/>): checks the version,
/// split and kind, keeps the streamed predictions by sample, then reads the split shard by shard from the datasets
/// service and feeds each shard's samples, joined with their predictions, to an <see cref="EvaluationSession"/>.
/// The ground truth is never held whole: one response of a shard at a time, beside the predictions.
/// </summary>
public sealed class DatasetEvaluation(IDatasetCatalog catalog, IOptions<EvaluationLimits> limits)
{
    public async Task<Evaluation> RunAsync(EvaluationHeader header, IAsyncEnumerable<PredictionBatch> batches, string id, CancellationToken cancellationToken)
    {
        var truth = header.GroundTruth;
        if (truth.DatasetId.Length == 0)
        {
            throw DomainException.InvalidArgument("header.ground_truth.dataset_id", "is required");
        }

        if (truth.VersionId.Length == 0)
        {
            throw DomainException.InvalidArgument("header.ground_truth.version_id", "is required: an evaluation names one version");
        }

        if (truth.Split == Split.Unspecified)
        {
            throw DomainException.InvalidArgument("header.ground_truth.split", "is required (train, validation or test)");
        }

        if (header.DatasetVersion is not null || header.Split != Split.Unspecified)
        {
            throw DomainException.InvalidArgument("header.dataset_version", "leave dataset_version and split unset with ground_truth: the service records the version it read");
        }

        var (batchCase, task) = header.Kind switch
        {
            EvaluationKind.DetectionCoco => (PredictionBatch.PredictionsOneofCase.Coco, TaskType.Detection),
            EvaluationKind.DetectionVoc => (PredictionBatch.PredictionsOneofCase.Detection, TaskType.Detection),
            EvaluationKind.Segmentation => (PredictionBatch.PredictionsOneofCase.Segmentation, TaskType.Segmentation),
            EvaluationKind.Classification => throw DomainException.FailedPrecondition(
                "classification predictions are evaluated with their labels; send them without header.ground_truth"),
            _ => throw DomainException.InvalidArgument("header.kind", "is required (detection_coco, detection_voc or segmentation with ground_truth)"),
        };

        var version = await catalog.GetVersionAsync(truth.DatasetId, truth.VersionId, cancellationToken);
        var where = $"the {Describe(truth.Split)} split of dataset '{truth.DatasetId}' version '{truth.VersionId}'";
        if (version.TaskType != task)
        {
            throw DomainException.FailedPrecondition(
                $"dataset '{truth.DatasetId}' is annotated for {Describe(version.TaskType)}; {KindName(header.Kind)} evaluation needs a {Describe(task)} dataset");
        }

        if (header.Kind == EvaluationKind.DetectionCoco && header.Coco?.IouType is V1.CocoIouType.Segm or V1.CocoIouType.Keypoints)
        {
            throw DomainException.FailedPrecondition(
                $"dataset '{truth.DatasetId}' keeps boxes, not instance masks or keypoints: COCO {Describe(header.Coco.IouType)} evaluation needs the COCO ground-truth file (cauchy eval coco)");
        }

        if (!version.SplitCounts.Any(c => c.Split == truth.Split && c.SampleCount > 0))
        {
            throw DomainException.NotFound($"{where} does not exist (it has no sample)");
        }

        var session = EvaluationSession.Start(EffectiveHeader(header, version), limits.Value);
        var predictions = new DatasetPredictions(batchCase);
        var number = 0;
        await foreach (var batch in batches.WithCancellation(cancellationToken))
        {
            predictions.Add(batch, ++number);
        }

        var sourceIds = version.ClassSourceIds.Count == version.ClassNames.Count ? version.ClassSourceIds : null;
        await foreach (var samples in catalog.ReadSplitAsync(truth.DatasetId, truth.VersionId, truth.Split, cancellationToken))
        {
            session.Add(batchCase switch
            {
                PredictionBatch.PredictionsOneofCase.Coco => CocoBatch(samples, predictions, sourceIds),
                PredictionBatch.PredictionsOneofCase.Detection => VocBatch(samples, predictions),
                _ => SegmentationBatch(samples, predictions, where),
            });
        }

        predictions.ThrowIfUnmatched(where);
        return session.Finish(id);
    }

    /// <summary>The header the evaluation runs with: the version's classes, and the version and split as its lineage.</summary>
    private static EvaluationHeader EffectiveHeader(EvaluationHeader header, DatasetVersion version)
    {
        var effective = header.Clone();
        effective.DatasetVersion = new DatasetVersionRef { DatasetId = version.DatasetId, VersionId = version.VersionId };
        effective.Split = header.GroundTruth.Split;
        effective.ClassNames.Clear();
        if (header.Kind == EvaluationKind.DetectionCoco)
        {
            effective.Coco ??= new CocoOptions();
            effective.Coco.Categories.Clear();
            for (var c = 0; c < version.ClassNames.Count; c++)
            {
                effective.Coco.Categories.Add(new V1.CocoCategory { Id = CategoryId(version.ClassSourceIds, version.ClassNames.Count, c), Name = version.ClassNames[c] });
            }
        }
        else
        {
            effective.ClassNames.AddRange(version.ClassNames);
        }

        return effective;
    }

    private static int CategoryId(IReadOnlyList<long>? sourceIds, int classCount, int classId) =>
        sourceIds is not null && sourceIds.Count == classCount ? checked((int)sourceIds[classId]) : classId;

    private static PredictionBatch CocoBatch(IReadOnlyList<Sample> samples, DatasetPredictions predictions, IReadOnlyList<long>? sourceIds)
    {
        var images = new CocoImages();
        foreach (var sample in samples)
        {
            if (!long.TryParse(sample.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var imageId))
            {
                throw DomainException.FailedPrecondition(
                    $"sample '{sample.Id}' has no numeric id for COCO results to name (COCO imports keep the image id as the sample id); evaluate this dataset with kind voc");
            }

            var image = new V1.CocoImage { ImageId = imageId, Width = sample.Width, Height = sample.Height };
            var boxes = sample.Detection?.Boxes ?? [];
            for (var i = 0; i < boxes.Count; i++)
            {
                var b = boxes[i];
                var (x, y) = ((double)b.Box.XMin, (double)b.Box.YMin);
                var (width, height) = ((double)b.Box.XMax - x, (double)b.Box.YMax - y);
                image.Annotations.Add(new CocoAnnotation
                {
                    Id = i + 1,
                    CategoryId = CategoryId(sourceIds, sourceIds?.Count ?? 0, b.ClassId),
                    Bbox = new CocoBox { X = x, Y = y, Width = width, Height = height },
                    Area = b.Area > 0 ? b.Area : width * height,
                    Iscrowd = b.Crowd,
                });
            }

            if (predictions.Take<V1.CocoImage>(sample.Id) is { } predicted)
            {
                image.Detections.AddRange(predicted.Detections);
            }

            images.Images.Add(image);
        }

        return new PredictionBatch { Coco = images };
    }

    private static PredictionBatch VocBatch(IReadOnlyList<Sample> samples, DatasetPredictions predictions)
    {
        var batch = new DetectionPredictions();
        foreach (var sample in samples)
        {
            var joined = new DetectionSample { SampleId = sample.Id, ImageWidth = sample.Width, ImageHeight = sample.Height };
            joined.GroundTruth.AddRange(sample.Detection?.Boxes ?? []);
            if (predictions.Take<DetectionSample>(sample.Id) is { } predicted)
            {
                joined.Detections.AddRange(predicted.Detections);
            }

            batch.Samples.Add(joined);
        }

        return new PredictionBatch { Detection = batch };
    }

    private static PredictionBatch SegmentationBatch(IReadOnlyList<Sample> samples, DatasetPredictions predictions, string where)
    {
        var batch = new SegmentationPredictions();
        foreach (var sample in samples)
        {
            var predicted = predictions.Take<SegmentationSample>(sample.Id)
                ?? throw DomainException.InvalidArgument($"no predicted mask for sample '{sample.Id}' of {where}; every sample of the split needs one");
            batch.Samples.Add(new SegmentationSample { SampleId = sample.Id, Predicted = predicted.Predicted, GroundTruth = sample.Mask });
        }

        return new PredictionBatch { Segmentation = batch };
    }

    private static string KindName(EvaluationKind kind) => kind switch
    {
        EvaluationKind.DetectionCoco => "COCO detection",
        EvaluationKind.DetectionVoc => "VOC detection",
        _ => "segmentation",
    };

    private static string Describe<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();
}
