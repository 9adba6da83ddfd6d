using System.Diagnostics;
using Cauchy.Metrics.Evaluations;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit;

namespace Cauchy.Metrics.Tests;

/// <summary>
/// The limits on one evaluation (Metrics:Limits), against the service process: a client's class count no longer sizes
/// the service's work, and what is stored at the limit can be read back by a default client and listed quickly.
/// </summary>
public sealed class EvaluationLimitsTests(MetricsServiceFixture fixture) : IClassFixture<MetricsServiceFixture>
{
    private static readonly int MaxClasses = new EvaluationLimits().MaxClasses;

    [Theory]
    [InlineData(50_000)]
    [InlineData(12_000)]
    public async Task Too_many_class_names_are_refused_at_the_header_naming_the_limit_in_small_memory(int classes)
    {
        var peakBefore = fixture.Service.PeakResidentBytes();

        var error = await Assert.ThrowsAsync<RpcException>(() => EvaluateAsync(Header(classes), [OneSample(classes, label: 1, predicted: 1)]));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith($"header.class_names: {classes} classes; at most {MaxClasses} are accepted (Metrics:Limits:MaxClasses)", error.Status.Detail);
        var growth = fixture.Service.PeakResidentBytes() - peakBefore;
        Assert.True(growth < 128L << 20, $"the service's peak memory grew by {growth >> 20} MiB");
    }

    [Fact]
    public async Task An_evaluation_at_the_class_limit_is_read_back_by_a_default_client_and_listed_quickly()
    {
        var jobId = "job-" + Guid.NewGuid().ToString("N");
        var header = Header(MaxClasses);
        header.JobId = jobId;
        for (var i = 0; i < 3; i++)
        {
            await EvaluateAsync(header, [OneSample(MaxClasses, label: 5, predicted: MaxClasses - 1)]);
        }

        // A channel with gRPC's default 4 MiB receive limit, as any client in any language has.
        using var channel = GrpcChannel.ForAddress(fixture.Service.Address);
        var client = new V1.Metrics.MetricsClient(channel);
        var clock = Stopwatch.StartNew();
        var listed = await client.ListEvaluationsAsync(new ListEvaluationsRequest { JobId = jobId });
        var listTime = clock.Elapsed;
        Assert.Equal(3, listed.Evaluations.Count);
        Assert.All(listed.Evaluations, e => Assert.Null(e.Classification));
        Assert.True(listTime < TimeSpan.FromSeconds(2), $"listing took {listTime}");

        var fetched = (await client.GetEvaluationAsync(new GetEvaluationRequest { EvaluationId = listed.Evaluations[0].Id })).Evaluation;
        Assert.Equal(MaxClasses, fetched.Classification.NumClasses);
        Assert.Equal((long)MaxClasses * MaxClasses, fetched.Classification.ConfusionMatrix.Count);
        Assert.Equal(1, fetched.Classification.ConfusionMatrix[5 * MaxClasses + MaxClasses - 1]);
        Assert.True(fetched.CalculateSize() < 4 << 20, $"the evaluation is {fetched.CalculateSize()} bytes");
    }

    [Fact]
    public async Task A_segmentation_mask_larger_than_the_pixel_limit_is_refused_before_it_is_decoded()
    {
        var header = new EvaluationHeader { Kind = EvaluationKind.Segmentation, ClassNames = { "background", "road" } };
        var side = 8192;
        var mask = new SegmentationMask { Encoding = ImageEncoding.Raw, Width = side, Height = side, Data = ByteString.CopyFrom(new byte[1]) };
        var batch = new PredictionBatch { Segmentation = new SegmentationPredictions { Samples = { new SegmentationSample { GroundTruth = mask, Predicted = mask } } } };

        var error = await Assert.ThrowsAsync<RpcException>(() => EvaluateAsync(header, [batch]));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith($"segmentation.samples[0].ground_truth: the mask is {side}×{side}, {side * side} pixels; at most {new EvaluationLimits().MaxImagePixels} are accepted (Metrics:Limits:MaxImagePixels)", error.Status.Detail);
    }

    [Fact]
    public async Task A_class_name_over_the_text_limit_is_refused_naming_it()
    {
        var header = Header(3);
        header.ClassNames[2] = new string('c', 100_000);

        var error = await Assert.ThrowsAsync<RpcException>(() => EvaluateAsync(header, [OneSample(3, label: 1, predicted: 1)]));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal($"header.class_names[2]: has 100000 characters; at most {Cauchy.Domain.TextLimits.ClassName} are accepted.", error.Status.Detail);
    }

    private static EvaluationHeader Header(int classes)
    {
        var header = new EvaluationHeader { Kind = EvaluationKind.Classification, JobId = "job-" + Guid.NewGuid().ToString("N") };
        header.ClassNames.AddRange(Enumerable.Range(0, classes).Select(c => $"class-{c}"));
        return header;
    }

    private static PredictionBatch OneSample(int classes, int label, int predicted)
    {
        var predictions = new ClassificationPredictions { Labels = { label } };
        predictions.Scores.AddRange(Enumerable.Range(0, classes).Select(c => c == predicted ? 1f : 0f));
        return new PredictionBatch { Classification = predictions };
    }

    private Task<EvaluateResponse> EvaluateAsync(EvaluationHeader header, IEnumerable<PredictionBatch> batches) =>
        EvaluateStream.SendAsync(fixture.Client, [new EvaluateRequest { Header = header }, .. batches.Select(b => new EvaluateRequest { Batch = b })]);
}
