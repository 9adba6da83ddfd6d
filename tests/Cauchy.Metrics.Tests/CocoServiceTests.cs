using Cauchy.V1;
using Grpc.Core;
using Xunit;

namespace Cauchy.Metrics.Tests;

/// <summary>COCO evaluation through the metrics service's gRPC API, on its own process and database.</summary>
public sealed class CocoServiceTests(MetricsServiceFixture fixture) : IClassFixture<MetricsServiceFixture>
{
    [Fact]
    public async Task A_reference_case_streamed_to_the_service_is_evaluated_stored_and_listed()
    {
        var reference = CocoReference.Load("c5_medium_bbox");
        var files = reference.Read(CocoIouType.Bbox);
        var jobId = "coco-" + Guid.NewGuid().ToString("N");
        var header = Header(jobId, files.Categories);

        var evaluation = (await SendAsync([new EvaluateRequest { Header = header }, .. files.Batches().Select(b => Batch(b))])).Evaluation;

        var expected = reference.Stats("bbox");
        Assert.Equal(EvaluationKind.DetectionCoco, evaluation.Kind);
        Assert.Equal(100, evaluation.SampleCount);
        Assert.All(expected.Zip(evaluation.Detection.Stats), p => Assert.Equal(p.First, p.Second, 1e-9));
        Assert.Equal(expected[0], evaluation.Summary["map"], 1e-9);
        Assert.Equal(expected[8], evaluation.Summary["mar_100"], 1e-9);
        Assert.Equal(expected[11], evaluation.Detection.MarLarge, 1e-9);
        Assert.Equal(files.Categories.Select(c => c.Name), evaluation.ClassNames);
        Assert.Equal([1, 10, 100], evaluation.Detection.Coco.MaxDetections);
        var perCategory = reference.PerCategory("bbox");
        Assert.All(evaluation.Detection.PerClass, c => Assert.Equal(perCategory[c.ClassId].Ar100, c.Ar100, 1e-9));
        Assert.Equal(files.DetectionCount, evaluation.Detection.PerClass.Sum(c => c.DetectionCount));

        var fetched = (await fixture.Client.GetEvaluationAsync(new GetEvaluationRequest { EvaluationId = evaluation.Id })).Evaluation;
        Assert.Equal(evaluation, fetched);
        var listed = Assert.Single((await fixture.Client.ListEvaluationsAsync(new ListEvaluationsRequest { JobId = jobId, Kind = EvaluationKind.DetectionCoco })).Evaluations);
        Assert.Equal(evaluation.Id, listed.Id);
        Assert.Null(listed.Detection);
        Assert.Equal(expected[1], listed.Summary["map50"], 1e-9);
    }

    public static TheoryData<string, string> BadInput() => new()
    {
        { "negative box width", "coco.images[0] (image_id 7).detections[0].bbox: width and height must not be negative, got -3×10" },
        { "NaN score", "coco.images[0] (image_id 7).detections[0].score: must be a number, got NaN" },
        { "unknown category", "coco.images[0] (image_id 7).annotations[0] (id 70).category_id: category 9 is not one of header.coco.categories" },
        { "mask size", "coco.images[0] (image_id 7).detections[0].segmentation.rle: the mask is 20×30 (height×width) but the image is 20×20" },
        { "RLE that does not decode", "coco.images[0] (image_id 7).detections[0].segmentation.rle: does not decode: the runs cover 10 pixels, the 20×20 mask has 400" },
        { "bad RLE character", "coco.images[0] (image_id 7).detections[0].segmentation.rle: does not decode: character 1 (' ') is not an RLE character" },
        { "keypoints of the wrong length", "coco.images[0] (image_id 7).annotations[0] (id 70).keypoints: category 1 has 2 keypoints, so 6 values (x, y, v for each) are needed, got 5" },
        { "image sent twice", "coco.images[0] (image_id 7).image_id: was already sent" },
        { "no options", "header.coco: is required for COCO evaluation" },
        { "no images", "batch: no image was sent" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Bad_input_is_INVALID_ARGUMENT_naming_the_field_and_object_and_nothing_is_stored(string problem, string expected)
    {
        var jobId = "coco-bad-" + Guid.NewGuid().ToString("N");
        var header = Header(jobId, [new CocoCategory { Id = 1, Name = "thing", Keypoints = { "a", "b" }, KeypointSigmas = { .5, .5 } }]);
        var image = new V1.CocoImage { ImageId = 7, Width = 20, Height = 20 };
        var annotation = new CocoAnnotation { Id = 70, CategoryId = 1, Bbox = new CocoBox { X = 1, Y = 1, Width = 10, Height = 10 }, Area = 100 };
        var detection = new V1.CocoDetection { CategoryId = 1, Score = .9, Bbox = new CocoBox { X = 1, Y = 1, Width = 10, Height = 10 } };
        image.Annotations.Add(annotation);
        image.Detections.Add(detection);
        switch (problem)
        {
            case "negative box width": detection.Bbox.Width = -3; break;
            case "NaN score": detection.Score = double.NaN; break;
            case "unknown category": annotation.CategoryId = 9; break;
            case "mask size": detection.Segmentation = Rle(20, 30, [600]); break;
            case "RLE that does not decode": detection.Segmentation = Rle(20, 20, [4, 6]); break;
            case "bad RLE character": detection.Segmentation = new CocoSegmentation { Rle = new CocoRle { Height = 20, Width = 20, Counts = "0 " } }; break;
            case "keypoints of the wrong length":
                header.Coco.IouType = CocoIouType.Keypoints;
                annotation.Keypoints.AddRange([1, 1, 2, 5, 5]);
                break;
            case "no options": header.Coco = null; break;
        }

        // A good image first: the stream is rejected as a whole all the same.
        var good = new V1.CocoImage { ImageId = 3, Width = 20, Height = 20 };
        var first = new CocoImages { Images = { good } };
        List<EvaluateRequest> messages = problem switch
        {
            "image sent twice" => [new() { Header = header }, Batch(new CocoImages { Images = { image } }), Batch(new CocoImages { Images = { image } })],
            "no images" => [new() { Header = header }],
            _ => [new() { Header = header }, Batch(first), Batch(new CocoImages { Images = { image } })],
        };

        var error = await Assert.ThrowsAsync<RpcException>(() => SendAsync(messages));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(expected, error.Status.Detail);
        Assert.Empty((await fixture.Client.ListEvaluationsAsync(new ListEvaluationsRequest { JobId = jobId })).Evaluations);
    }

    private static CocoSegmentation Rle(int height, int width, uint[] counts) =>
        new() { Rle = new CocoRle { Height = height, Width = width, UncompressedCounts = { counts } } };

    private static EvaluationHeader Header(string jobId, IEnumerable<CocoCategory> categories)
    {
        var header = new EvaluationHeader { Kind = EvaluationKind.DetectionCoco, JobId = jobId, Split = Split.Test, Coco = new CocoOptions() };
        header.Coco.Categories.AddRange(categories);
        return header;
    }

    private static EvaluateRequest Batch(CocoImages images) => new() { Batch = new PredictionBatch { Coco = images } };

    private Task<EvaluateResponse> SendAsync(IReadOnlyList<EvaluateRequest> messages) => EvaluateStream.SendAsync(fixture.Client, messages);
}
