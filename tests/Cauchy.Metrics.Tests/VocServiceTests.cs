using Cauchy.V1;
using Grpc.Core;
using Xunit;

namespace Cauchy.Metrics.Tests;

/// <summary>Pascal VOC detection through the metrics service's gRPC API, on cases whose AP is worked out by hand.</summary>
public sealed class VocServiceTests(MetricsServiceFixture fixture) : IClassFixture<MetricsServiceFixture>
{
    private static readonly string[] Classes = ["cat", "dog", "bird"];

    // Image "a": two cats and a difficult cat; image "b": a cat and a dog. Boxes are half-open [min, max).
    // Cat detections, by score:
    //   0.9 on a's first cat (IoU 1)            → TP
    //   0.8 on a's first cat again               → FP (duplicate)
    //   0.7 on the difficult cat                 → ignored (neither TP nor FP, and the difficult cat is not a positive)
    //   0.6 on b's cat                           → TP
    //   0.5 on nothing                           → FP
    // npos = 3. Without the ignored one: precision 1, 1/2, 2/3, 1/2 at recall 1/3, 1/3, 2/3, 2/3.
    //   All-point AP: the precision envelope is 1, 2/3, 2/3, 1/2, so AP = 1/3 · 1 + (2/3 − 1/3) · 2/3 = 5/9.
    //   11-point AP: recall ≥ 0, .1, .2, .3 → best precision 1 (4 points); ≥ .4, .5, .6 → 2/3 (3 points); ≥ .7 … 1 → 0.
    //   AP = (4 + 3 · 2/3) / 11 = 6/11.
    //   At IoU 0.75 every match is exact, so the cat's AP75 is 5/9 as well.
    // The dog: one object [30, 40) × [30, 40) (area 100) and one detection [30, 40) × [30, 35) (area 50): IoU 50/100 = 0.5
    //   exactly, which the devkit's "≥ 0.5" counts as a TP: AP50 = 1, AP75 = 0.
    // The bird has a detection but no object: AP -1, left out of the means.
    //   mAP (at 0.5) = (5/9 + 1) / 2 = 7/9; mAP75 = (5/9 + 0) / 2 = 5/18; 11-point mAP = (6/11 + 1) / 2 = 17/22.
    private static List<DetectionSample> Samples()
    {
        var a = new DetectionSample { SampleId = "a", ImageWidth = 300, ImageHeight = 300 };
        a.GroundTruth.Add(Object(0, 10, 10, 50, 50));
        a.GroundTruth.Add(Object(0, 60, 10, 90, 50));
        a.GroundTruth.Add(Object(0, 100, 100, 140, 140, difficult: true));
        a.Detections.Add(Detection(0, .8f, 10, 10, 50, 50));
        a.Detections.Add(Detection(0, .9f, 10, 10, 50, 50));
        a.Detections.Add(Detection(0, .7f, 100, 100, 140, 140));
        a.Detections.Add(Detection(0, .5f, 200, 200, 220, 220));
        a.Detections.Add(Detection(2, .95f, 0, 0, 5, 5));

        var b = new DetectionSample { SampleId = "b", ImageWidth = 100, ImageHeight = 100 };
        b.GroundTruth.Add(Object(0, 0, 0, 20, 20));
        b.GroundTruth.Add(Object(1, 30, 30, 40, 40));
        b.Detections.Add(Detection(0, .6f, 0, 0, 20, 20));
        b.Detections.Add(Detection(1, .4f, 30, 30, 40, 35));
        return [a, b];
    }

    [Fact]
    public async Task All_point_AP_follows_the_devkit_and_is_stored_and_listed()
    {
        var jobId = "voc-" + Guid.NewGuid().ToString("N");
        var samples = Samples();
        var evaluation = (await SendAsync([new() { Header = Header(jobId) }, Batch(samples[0]), Batch(samples[1])])).Evaluation;

        Assert.Equal(EvaluationKind.DetectionVoc, evaluation.Kind);
        Assert.Equal(2, evaluation.SampleCount);
        var result = evaluation.Detection;
        Assert.Equal(7.0 / 9, result.Map, 1e-12);
        Assert.Equal(7.0 / 9, result.Map50, 1e-12);
        Assert.Equal(5.0 / 18, result.Map75, 1e-12);
        Assert.Equal(-1, result.MapSmall);
        Assert.Equal(-1, result.Mar100);
        Assert.Empty(result.Stats);
        Assert.Equal(5.0 / 9, result.PerClass[0].Ap, 1e-12);
        Assert.Equal(1.0, result.PerClass[1].Ap, 1e-12);
        Assert.Equal(-1, result.PerClass[2].Ap);
        Assert.Equal([3L, 1, 0], result.PerClass.Select(c => c.GroundTruthCount));
        Assert.Equal([5L, 1, 1], result.PerClass.Select(c => c.DetectionCount));
        Assert.Equal(Classes, evaluation.ClassNames);
        Assert.Equal(7.0 / 9, evaluation.Summary["map"], 1e-12);

        var fetched = (await fixture.Client.GetEvaluationAsync(new GetEvaluationRequest { EvaluationId = evaluation.Id })).Evaluation;
        Assert.Equal(evaluation, fetched);
        var listed = Assert.Single((await fixture.Client.ListEvaluationsAsync(new ListEvaluationsRequest { JobId = jobId, Kind = EvaluationKind.DetectionVoc })).Evaluations);
        Assert.Equal(evaluation.Id, listed.Id);
        Assert.Equal(5.0 / 18, listed.Summary["map75"], 1e-12);
    }

    [Fact]
    public async Task Eleven_point_AP_is_the_VOC2007_metric()
    {
        var header = Header("voc07-" + Guid.NewGuid().ToString("N"));
        header.Detection = new DetectionOptions { Voc11Point = true };
        var samples = Samples();

        var result = (await SendAsync([new() { Header = header }, Batch(samples[0]), Batch(samples[1])])).Evaluation.Detection;

        Assert.Equal(6.0 / 11, result.PerClass[0].Ap, 1e-12);
        Assert.Equal(1.0, result.PerClass[1].Ap, 1e-12);
        Assert.Equal(17.0 / 22, result.Map, 1e-12);
    }

    [Fact]
    public async Task Equal_scores_keep_the_order_they_were_sent_in_and_max_detections_keeps_the_best()
    {
        // One cat; a miss and a hit of equal score, the miss sent first: precision 0 then 1/2 at recall 0 then 1,
        // so AP = 1 · 1/2. With one detection kept per image, only the miss (first of the two) remains: AP 0.
        var sample = new DetectionSample { SampleId = "tie" };
        sample.GroundTruth.Add(Object(0, 0, 0, 10, 10));
        sample.Detections.Add(Detection(0, .5f, 50, 50, 60, 60));
        sample.Detections.Add(Detection(0, .5f, 0, 0, 10, 10));

        var all = (await SendAsync([new() { Header = Header("tie-" + Guid.NewGuid().ToString("N")) }, Batch(sample)])).Evaluation.Detection;
        var header = Header("tie-" + Guid.NewGuid().ToString("N"));
        header.Detection = new DetectionOptions { MaxDetectionsPerImage = 1 };
        var one = (await SendAsync([new() { Header = header }, Batch(sample)])).Evaluation.Detection;

        Assert.Equal(0.5, all.PerClass[0].Ap, 1e-12);
        Assert.Equal(0.0, one.PerClass[0].Ap, 1e-12);
        Assert.Equal(1, one.PerClass[0].DetectionCount);
    }

    public static TheoryData<string, string> BadInput() => new()
    {
        { "negative box width", "detection.samples[0] (sample_id bad).detections[0].box: width and height must not be negative, got -5×10" },
        { "NaN score", "detection.samples[0] (sample_id bad).detections[0].score: must be a number, got NaN" },
        { "class id out of range", "detection.samples[0] (sample_id bad).ground_truth[0].class_id: class 3 is not a class id of header.class_names (0 to 2)" },
        { "missing box", "detection.samples[0] (sample_id bad).ground_truth[0].box: is required" },
        { "no class names", "header.class_names: at least one class name is required" },
        { "bad threshold", "header.detection.iou_thresholds[0]: must be in (0, 1], got 0" },
        { "wrong batch", "batch: the header's kind is DetectionVoc but a batch carries segmentation predictions" },
        { "no samples", "batch: no sample was sent" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Bad_input_is_INVALID_ARGUMENT_naming_the_field_and_sample_and_nothing_is_stored(string problem, string expected)
    {
        var jobId = "voc-bad-" + Guid.NewGuid().ToString("N");
        var header = Header(jobId);
        var sample = new DetectionSample { SampleId = "bad" };
        var detection = Detection(0, .9f, 10, 10, 20, 20);
        var truth = Object(1, 10, 10, 20, 20);
        sample.Detections.Add(detection);
        sample.GroundTruth.Add(truth);
        var batch = Batch(sample);
        switch (problem)
        {
            case "negative box width": detection.Box.XMax = 5; break;
            case "NaN score": detection.Score = float.NaN; break;
            case "class id out of range": truth.ClassId = 3; break;
            case "missing box": truth.Box = null; break;
            case "no class names": header.ClassNames.Clear(); break;
            case "bad threshold": header.Detection = new DetectionOptions { IouThresholds = { 0 } }; break;
            case "wrong batch": batch = new EvaluateRequest { Batch = new PredictionBatch { Segmentation = new SegmentationPredictions() } }; break;
        }

        // A good sample first: the stream is rejected as a whole all the same.
        List<EvaluateRequest> messages = problem == "no samples"
            ? [new() { Header = header }]
            : [new() { Header = header }, Batch(Samples()[1]), batch];

        var error = await Assert.ThrowsAsync<RpcException>(() => SendAsync(messages));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(expected, error.Status.Detail);
        Assert.Empty((await fixture.Client.ListEvaluationsAsync(new ListEvaluationsRequest { JobId = jobId })).Evaluations);
    }

    private static EvaluationHeader Header(string jobId)
    {
        var header = new EvaluationHeader { Kind = EvaluationKind.DetectionVoc, JobId = jobId, Split = Split.Test };
        header.ClassNames.AddRange(Classes);
        return header;
    }

    private static LabeledBox Object(int classId, float x0, float y0, float x1, float y1, bool difficult = false) =>
        new() { ClassId = classId, Box = new BoundingBox { XMin = x0, YMin = y0, XMax = x1, YMax = y1 }, Difficult = difficult };

    private static ScoredBox Detection(int classId, float score, float x0, float y0, float x1, float y1) =>
        new() { ClassId = classId, Score = score, Box = new BoundingBox { XMin = x0, YMin = y0, XMax = x1, YMax = y1 } };

    private static EvaluateRequest Batch(DetectionSample sample) =>
        new() { Batch = new PredictionBatch { Detection = new DetectionPredictions { Samples = { sample } } } };

    private Task<EvaluateResponse> SendAsync(IReadOnlyList<EvaluateRequest> messages) => EvaluateStream.SendAsync(fixture.Client, messages);
}
