using Cauchy.Testing;
using Cauchy.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit;

namespace Cauchy.Metrics.Tests;

/// <summary>The metrics service run as its own process on SQLite, called over gRPC.</summary>
public sealed class MetricsServiceFixture : IAsyncLifetime
{
    public ServiceProcess Service { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public V1.Metrics.MetricsClient Client => new(Channel);

    public async Task InitializeAsync()
    {
        Service = await ServiceProcess.StartAsync("metrics", "Cauchy.Metrics");
        Channel = TestAuthentication.ServiceChannel(Service.Address);
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await Service.DisposeAsync();
    }
}

public sealed class MetricsServiceTests(MetricsServiceFixture fixture) : IClassFixture<MetricsServiceFixture>
{
    private static readonly string[] Classes = ["cat", "dog", "bird"];

    [Fact]
    public async Task Streamed_predictions_are_evaluated_stored_and_listed()
    {
        var jobId = "job-" + Guid.NewGuid().ToString("N");
        var header = Header(jobId);
        header.Classification = new ClassificationOptions { TopK = 2 };

        // Sample i has true class i % 3 and is predicted (i % 4 == 0 ? wrong : right).
        var batches = Enumerable.Range(0, 5).Select(b => Batch(Enumerable.Range(b * 20, 20))).ToList();
        var response = await EvaluateAsync(header, batches);

        var evaluation = response.Evaluation;
        Assert.Equal(32, evaluation.Id.Length);
        Assert.Equal(100, evaluation.SampleCount);
        Assert.Equal(0.75, evaluation.Summary["accuracy"], 12);
        Assert.Equal(0.75, evaluation.Classification.Top1Accuracy, 12);
        Assert.Equal(1.0, evaluation.Summary["top2_accuracy"], 12);
        Assert.Equal(3, evaluation.Classification.NumClasses);
        Assert.Equal(100, evaluation.Classification.ConfusionMatrix.Sum());
        Assert.Equal(["cat", "dog", "bird"], evaluation.Classification.PerClass.Select(c => c.ClassName));
        Assert.Equal(jobId, evaluation.JobId);
        Assert.Equal(new ModelVersionRef { ModelName = "cnn", Version = 3 }, evaluation.ModelVersion);

        var fetched = (await fixture.Client.GetEvaluationAsync(new GetEvaluationRequest { EvaluationId = evaluation.Id })).Evaluation;
        Assert.Equal(evaluation, fetched);

        var listed = await fixture.Client.ListEvaluationsAsync(new ListEvaluationsRequest { JobId = jobId });
        var summary = Assert.Single(listed.Evaluations);
        Assert.Equal(evaluation.Id, summary.Id);
        Assert.Null(summary.Classification);
        Assert.Equal(0.75, summary.Summary["accuracy"], 12);
    }

    [Fact]
    public async Task Top_k_of_five_is_the_top5_accuracy_summary_once()
    {
        // What the trainer sends for a ten-class dataset: top_k = 5. The summary's top5_accuracy is written once.
        string[] classes = [.. Enumerable.Range(0, 10).Select(c => $"class{c}")];
        var header = Header("job-" + Guid.NewGuid().ToString("N"));
        header.ClassNames.Clear();
        header.ClassNames.AddRange(classes);
        header.Classification = new ClassificationOptions { TopK = 5 };

        // Sample i (label i % 10) scores its own class 6th of 10 when i is even, 1st when odd.
        var predictions = new ClassificationPredictions();
        for (int i = 0; i < 20; i++)
        {
            int label = i % 10;
            predictions.Labels.Add(label);
            for (int c = 0; c < 10; c++)
            {
                int rank = (c - label + 10) % 10; // 0 for the label, then 1, 2, ... for the others
                float score = i % 2 == 1 ? 10 - rank : rank == 0 ? 4.5f : 10 - rank;
                predictions.Scores.Add(score);
            }
        }

        var evaluation = (await EvaluateAsync(header, [new PredictionBatch { Classification = predictions }])).Evaluation;
        Assert.Equal(0.5, evaluation.Summary["accuracy"], 12);
        Assert.Equal(0.5, evaluation.Summary["top5_accuracy"], 12);
        Assert.Equal(0.5, evaluation.Classification.TopKAccuracy, 12);
    }

    public static TheoryData<string, string> BadStreams() => new()
    {
        { "no header", "header: the first message must be a header" },
        { "second header", "message 3: only the first message may carry a header" },
        { "label outside classes", "classification.labels: label 7 of sample 1 is outside the 3 classes" },
        { "wrong score count", "classification.scores: expected 2 samples x 3 classes = 6 scores, got 5" },
        { "no predictions", "batch: no prediction was sent" },
        { "detection batch", "batch: the header's kind is Classification but a batch carries detection predictions" },
        { "no class names", "header.class_names: at least one class name is required" },
        { "empty stream", "the request stream is empty" },
    };

    [Theory]
    [MemberData(nameof(BadStreams))]
    public async Task Bad_input_is_INVALID_ARGUMENT_naming_the_field_and_nothing_is_stored(string problem, string expected)
    {
        var jobId = "bad-" + Guid.NewGuid().ToString("N");
        var header = Header(jobId);
        var messages = problem switch
        {
            "no header" => [new EvaluateRequest { Batch = Batch([0, 1]) }],
            "second header" => [new EvaluateRequest { Header = header }, new EvaluateRequest { Batch = Batch([0]) }, new EvaluateRequest { Header = header }],
            "label outside classes" => [new EvaluateRequest { Header = header }, new EvaluateRequest { Batch = WithLabels(Batch([0, 1]), 0, 7) }],
            "wrong score count" => [new EvaluateRequest { Header = header }, new EvaluateRequest { Batch = WithoutLastScore(Batch([0, 1])) }],
            "no predictions" => [new EvaluateRequest { Header = header }],
            "detection batch" => [new EvaluateRequest { Header = header }, new EvaluateRequest { Batch = new PredictionBatch { Detection = new DetectionPredictions() } }],
            "no class names" => [new EvaluateRequest { Header = new EvaluationHeader { Kind = EvaluationKind.Classification, JobId = jobId } }],
            "empty stream" => Array.Empty<EvaluateRequest>(),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        var error = await Assert.ThrowsAsync<RpcException>(() => SendAsync(messages));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(expected, error.Status.Detail);
        Assert.Empty((await fixture.Client.ListEvaluationsAsync(new ListEvaluationsRequest { JobId = jobId })).Evaluations);
    }

    [Fact]
    public async Task Unknown_ids_and_bad_list_requests_get_clear_statuses()
    {
        var missing = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.GetEvaluationAsync(new GetEvaluationRequest { EvaluationId = "nope" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal("evaluation 'nope' does not exist", missing.Status.Detail);

        var token = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.ListEvaluationsAsync(new ListEvaluationsRequest { PageToken = "%%%" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, token.StatusCode);
        Assert.StartsWith("page_token:", token.Status.Detail);

        var size = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.ListEvaluationsAsync(new ListEvaluationsRequest { PageSize = -1 }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, size.StatusCode);
        Assert.StartsWith("page_size:", size.Status.Detail);
    }

    private static EvaluationHeader Header(string jobId)
    {
        var header = new EvaluationHeader
        {
            Kind = EvaluationKind.Classification,
            JobId = jobId,
            ModelVersion = new ModelVersionRef { ModelName = "cnn", Version = 3 },
            Split = Split.Test,
            Epoch = 2,
        };
        header.ClassNames.AddRange(Classes);
        return header;
    }

    private static PredictionBatch Batch(IEnumerable<int> samples)
    {
        var predictions = new ClassificationPredictions();
        foreach (var i in samples)
        {
            var label = i % 3;
            var predicted = i % 4 == 0 ? (label + 1) % 3 : label;
            predictions.Labels.Add(label);
            for (var c = 0; c < 3; c++)
            {
                // The true class is always first or second, so top-2 accuracy is 1.
                predictions.Scores.Add(c == predicted ? 0.7f : c == label ? 0.2f : 0.1f);
            }
        }

        return new PredictionBatch { Classification = predictions };
    }

    private static PredictionBatch WithLabels(PredictionBatch batch, params int[] labels)
    {
        batch.Classification.Labels.Clear();
        batch.Classification.Labels.AddRange(labels);
        return batch;
    }

    private static PredictionBatch WithoutLastScore(PredictionBatch batch)
    {
        batch.Classification.Scores.RemoveAt(batch.Classification.Scores.Count - 1);
        return batch;
    }

    private Task<EvaluateResponse> EvaluateAsync(EvaluationHeader header, IEnumerable<PredictionBatch> batches) =>
        SendAsync([new EvaluateRequest { Header = header }, .. batches.Select(b => new EvaluateRequest { Batch = b })]);

    private Task<EvaluateResponse> SendAsync(IReadOnlyList<EvaluateRequest> messages) => EvaluateStream.SendAsync(fixture.Client, messages);
}
