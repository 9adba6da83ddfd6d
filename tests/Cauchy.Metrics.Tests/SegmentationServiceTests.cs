using Cauchy.Datasets.Tests.Support;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Core;
using Xunit;

namespace Cauchy.Metrics.Tests;

/// <summary>Semantic segmentation through the metrics service's gRPC API, on a case worked out by hand.</summary>
public sealed class SegmentationServiceTests(MetricsServiceFixture fixture) : IClassFixture<MetricsServiceFixture>
{
    private static readonly string[] Classes = ["background", "road", "sky"];

    // Two 2×2 images (row-major), 255 = ignore:
    //   first:  truth [0 0 / 1 255], predicted [0 1 / 1 0] → counted (0→0) (0→1) (1→1); the ignored pixel is left out
    //   second: truth [1 1 / 0 0],   predicted [1 0 / 0 0] → (1→1) (1→0) (0→0) (0→0)
    // Confusion (truth × predicted): [0,0] = 3, [0,1] = 1, [1,0] = 1, [1,1] = 2; 7 pixels counted.
    //   Pixel accuracy 5/7. Background: 4 true, 4 predicted, 3 hits → IoU 3/5, accuracy 3/4.
    //   Road: 3 true, 3 predicted, 2 hits → IoU 2/4, accuracy 2/3. Sky occurs nowhere: -1 and -1, left out of the means.
    //   Mean IoU (3/5 + 1/2) / 2 = 11/20; mean class accuracy (3/4 + 2/3) / 2 = 17/24;
    //   frequency-weighted IoU 4/7 · 3/5 + 3/7 · 1/2 = 39/70.
    private static SegmentationSample First() => new()
    {
        SampleId = "first",
        GroundTruth = Raw(2, 2, [0, 0, 1, 255]),
        Predicted = Raw(2, 2, [0, 1, 1, 0]),
    };

    private static SegmentationSample Second() => new()
    {
        SampleId = "second",
        GroundTruth = Png(2, 2, [1, 1, 0, 0]),
        Predicted = new SegmentationMask { Encoding = ImageEncoding.Png, Data = ByteString.CopyFrom(PngWriter.Grey(2, 2, [1, 0, 0, 0])) },
    };

    [Fact]
    public async Task Raw_and_PNG_masks_stream_into_one_confusion_matrix_and_are_stored_and_listed()
    {
        var jobId = "seg-" + Guid.NewGuid().ToString("N");
        var evaluation = (await SendAsync([new() { Header = Header(jobId) }, Batch(First()), Batch(Second())])).Evaluation;

        Assert.Equal(EvaluationKind.Segmentation, evaluation.Kind);
        Assert.Equal(2, evaluation.SampleCount);
        var result = evaluation.Segmentation;
        Assert.Equal(5.0 / 7, result.PixelAccuracy, 1e-12);
        Assert.Equal(11.0 / 20, result.MeanIou, 1e-12);
        Assert.Equal(17.0 / 24, result.MeanClassAccuracy, 1e-12);
        Assert.Equal(39.0 / 70, result.FrequencyWeightedIou, 1e-12);
        Assert.Equal([3L, 1, 0, 1, 2, 0, 0, 0, 0], result.ConfusionMatrix);
        Assert.Equal(3, result.NumClasses);
        Assert.Equal(255, result.IgnoreIndex);
        Assert.Equal([3.0 / 5, 2.0 / 4, -1], result.PerClass.Select(c => c.Iou));
        Assert.Equal([3.0 / 4, 2.0 / 3, -1], result.PerClass.Select(c => c.Accuracy));
        Assert.Equal([4L, 3, 0], result.PerClass.Select(c => c.PixelCount));
        Assert.Equal(Classes, result.PerClass.Select(c => c.ClassName));
        Assert.Equal(11.0 / 20, evaluation.Summary["mean_iou"], 1e-12);

        var fetched = (await fixture.Client.GetEvaluationAsync(new GetEvaluationRequest { EvaluationId = evaluation.Id })).Evaluation;
        Assert.Equal(evaluation, fetched);
        var listed = Assert.Single((await fixture.Client.ListEvaluationsAsync(new ListEvaluationsRequest { JobId = jobId, Kind = EvaluationKind.Segmentation })).Evaluations);
        Assert.Equal(evaluation.Id, listed.Id);
        Assert.Null(listed.Segmentation);
        Assert.Equal(5.0 / 7, listed.Summary["pixel_accuracy"], 1e-12);
    }

    [Fact]
    public async Task Another_ignore_index_leaves_out_its_pixels_and_counts_255_as_out_of_range()
    {
        // With ignore index 3, the truth's 1 in the first image's corner becomes 3 and is left out as before.
        var header = Header("seg-ignore-" + Guid.NewGuid().ToString("N"));
        header.Segmentation = new SegmentationOptions { IgnoreIndex = 3 };
        var first = First();
        first.GroundTruth = Raw(2, 2, [0, 0, 1, 3]);

        var result = (await SendAsync([new() { Header = header }, Batch(first), Batch(Second())])).Evaluation.Segmentation;

        Assert.Equal(5.0 / 7, result.PixelAccuracy, 1e-12);
        Assert.Equal(3, result.IgnoreIndex);
    }

    public static TheoryData<string, string> BadInput() => new()
    {
        { "masks of different sizes", "segmentation.samples[0] (sample_id bad).predicted: the mask is 3×2 (width×height) but the ground truth is 2×2" },
        { "raw data of the wrong length", "segmentation.samples[0] (sample_id bad).ground_truth.data: holds 3 bytes, but a 2×2 mask has 4 pixels" },
        { "PNG size differs from the message's", "segmentation.samples[0] (sample_id bad).predicted: the message says 4×4 but the PNG is 2×2" },
        { "class id out of range in the truth", "segmentation.samples[0] (sample_id bad).ground_truth: pixel (x 1, y 1) holds 7, which is not a class id, 0 to 2, or the ignore index 255" },
        { "ignore index in the prediction", "segmentation.samples[0] (sample_id bad).predicted: pixel (x 0, y 1) holds 255, which is not a class id, 0 to 2" },
        { "PNG that does not decode", "segmentation.samples[0] (sample_id bad).predicted.data: does not decode as a mask: " },
        { "JPEG mask", "segmentation.samples[0] (sample_id bad).predicted.encoding: must be RAW or PNG" },
        { "missing mask", "segmentation.samples[0] (sample_id bad).ground_truth: is required" },
        { "ignore index that is a class", "header.segmentation.ignore_index: 1 is a class id (there are 3 classes)" },
        { "everything ignored", "segmentation.samples: every ground-truth pixel holds the ignore index 255" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Bad_input_is_INVALID_ARGUMENT_naming_the_field_and_sample_and_nothing_is_stored(string problem, string expected)
    {
        var jobId = "seg-bad-" + Guid.NewGuid().ToString("N");
        var header = Header(jobId);
        var sample = new SegmentationSample { SampleId = "bad", GroundTruth = Raw(2, 2, [0, 1, 2, 2]), Predicted = Raw(2, 2, [0, 1, 2, 2]) };
        var png = PngWriter.Grey(2, 2, [0, 1, 2, 2]);
        switch (problem)
        {
            case "masks of different sizes": sample.Predicted = Raw(3, 2, [0, 0, 0, 0, 0, 0]); break;
            case "raw data of the wrong length": sample.GroundTruth = Raw(2, 2, [0, 1, 2]); break;
            case "PNG size differs from the message's": sample.Predicted = new SegmentationMask { Encoding = ImageEncoding.Png, Width = 4, Height = 4, Data = ByteString.CopyFrom(png) }; break;
            case "class id out of range in the truth": sample.GroundTruth = Raw(2, 2, [0, 1, 2, 7]); break;
            case "ignore index in the prediction": sample.Predicted = Raw(2, 2, [0, 1, 255, 2]); break;
            case "PNG that does not decode": sample.Predicted = new SegmentationMask { Encoding = ImageEncoding.Png, Data = ByteString.CopyFrom(png[..^20]) }; break;
            case "JPEG mask": sample.Predicted = new SegmentationMask { Encoding = ImageEncoding.Jpeg, Width = 2, Height = 2, Data = ByteString.CopyFrom(png) }; break;
            case "missing mask": sample.GroundTruth = null; break;
            case "ignore index that is a class": header.Segmentation = new SegmentationOptions { IgnoreIndex = 1 }; break;
            case "everything ignored": sample.GroundTruth = Raw(2, 2, [255, 255, 255, 255]); break;
        }

        // A good sample first, except where the case is about what was sent in all: the stream is rejected as a whole.
        List<EvaluateRequest> messages = problem == "everything ignored"
            ? [new() { Header = header }, Batch(sample)]
            : [new() { Header = header }, Batch(First()), Batch(sample)];

        var error = await Assert.ThrowsAsync<RpcException>(() => SendAsync(messages));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(expected, error.Status.Detail);
        Assert.Empty((await fixture.Client.ListEvaluationsAsync(new ListEvaluationsRequest { JobId = jobId })).Evaluations);
    }

    private static EvaluationHeader Header(string jobId)
    {
        var header = new EvaluationHeader { Kind = EvaluationKind.Segmentation, JobId = jobId, Split = Split.Validation };
        header.ClassNames.AddRange(Classes);
        return header;
    }

    private static SegmentationMask Raw(int width, int height, byte[] values) =>
        new() { Encoding = ImageEncoding.Raw, Width = width, Height = height, Data = ByteString.CopyFrom(values) };

    private static SegmentationMask Png(int width, int height, byte[] values) =>
        new() { Encoding = ImageEncoding.Png, Width = width, Height = height, Data = ByteString.CopyFrom(PngWriter.Grey(width, height, values)) };

    private static EvaluateRequest Batch(SegmentationSample sample) =>
        new() { Batch = new PredictionBatch { Segmentation = new SegmentationPredictions { Samples = { sample } } } };

    private Task<EvaluateResponse> SendAsync(IReadOnlyList<EvaluateRequest> messages) => EvaluateStream.SendAsync(fixture.Client, messages);
}
