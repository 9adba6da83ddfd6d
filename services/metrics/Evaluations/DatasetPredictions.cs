using System.Globalization;
using Cauchy.Domain;
using Cauchy.V1;
using Google.Protobuf;

namespace Cauchy.Metrics.Evaluations;

/// <summary>
/// The predictions of an evaluation against a dataset version, by sample id, waiting for their samples' ground
/// truth: COCO images by image id, VOC detection samples and segmentation samples by sample id. Each prediction is
/// held once, and given up when its sample has been joined; what is left at the end names no sample of the split.
/// </summary>
public sealed class DatasetPredictions
{
    private readonly PredictionBatch.PredictionsOneofCase _batchCase;
    private readonly Dictionary<string, IMessage> _bySample = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public DatasetPredictions(PredictionBatch.PredictionsOneofCase batchCase) => _batchCase = batchCase;

    /// <summary>Takes one batch of predictions; throws INVALID_ARGUMENT for a repeated sample or one that carries ground truth.</summary>
    public void Add(PredictionBatch batch, int number)
    {
        if (batch.PredictionsCase != _batchCase)
        {
            throw DomainException.InvalidArgument("batch", $"batch {number} carries {batch.PredictionsCase.ToString().ToLowerInvariant()} predictions; this kind takes {_batchCase.ToString().ToLowerInvariant()}");
        }

        switch (batch.PredictionsCase)
        {
            case PredictionBatch.PredictionsOneofCase.Coco:
                foreach (var image in batch.Coco.Images)
                {
                    if (image.Annotations.Count > 0)
                    {
                        throw DomainException.InvalidArgument("batch.coco.images.annotations", $"image {image.ImageId} carries annotations; with header.ground_truth the dataset is the ground truth");
                    }

                    Keep(image.ImageId.ToString(CultureInfo.InvariantCulture), image, "image id");
                }

                break;
            case PredictionBatch.PredictionsOneofCase.Detection:
                foreach (var sample in batch.Detection.Samples)
                {
                    if (sample.GroundTruth.Count > 0)
                    {
                        throw DomainException.InvalidArgument("batch.detection.samples.ground_truth", $"sample '{sample.SampleId}' carries ground truth; with header.ground_truth the dataset is the ground truth");
                    }

                    Keep(sample.SampleId, sample, "sample id");
                }

                break;
            case PredictionBatch.PredictionsOneofCase.Segmentation:
                foreach (var sample in batch.Segmentation.Samples)
                {
                    if (sample.GroundTruth is not null)
                    {
                        throw DomainException.InvalidArgument("batch.segmentation.samples.ground_truth", $"sample '{sample.SampleId}' carries a ground-truth mask; with header.ground_truth the dataset is the ground truth");
                    }

                    Keep(sample.SampleId, sample, "sample id");
                }

                break;
        }
    }

    /// <summary>The predictions for <paramref name="sampleId"/>, given up by this call; null when there are none.</summary>
    public T? Take<T>(string sampleId)
        where T : class, IMessage
    {
        if (!_bySample.Remove(sampleId, out var message))
        {
            return null;
        }

        return (T)message;
    }

    /// <summary>Throws INVALID_ARGUMENT naming the first prediction (in the caller's order) whose sample was never joined.</summary>
    public void ThrowIfUnmatched(string where)
    {
        if (_bySample.Count == 0)
        {
            return;
        }

        var first = _order.First(_bySample.ContainsKey);
        var noun = _batchCase == PredictionBatch.PredictionsOneofCase.Coco ? "image_id" : "sample";
        throw DomainException.InvalidArgument(
            $"predictions name {noun} '{first}', which is not a sample of {where}"
            + (_bySample.Count > 1 ? $" ({_bySample.Count} predicted samples are not)" : ""));
    }

    private void Keep(string sampleId, IMessage message, string what)
    {
        if (sampleId.Length == 0)
        {
            throw DomainException.InvalidArgument("batch", $"a prediction has no {what}; with header.ground_truth each names its sample");
        }

        if (!_bySample.TryAdd(sampleId, message))
        {
            throw DomainException.InvalidArgument("batch", $"{what} '{sampleId}' comes twice; send each sample's predictions once");
        }

        _order.Add(sampleId);
    }
}
