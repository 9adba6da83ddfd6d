using System.Runtime.CompilerServices;
using Cauchy.Domain;
using Cauchy.Metrics.Evaluations;
using Cauchy.V1;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Cauchy.Metrics.Grpc;

/// <summary>
/// The cauchy.v1.Metrics gRPC service: translates between the protos and <see cref="EvaluationSession"/> and
/// <see cref="IEvaluationStore"/>. Classification, COCO and Pascal VOC detection, and semantic segmentation are
/// evaluated, against ground truth the caller sends or, through <see cref="DatasetEvaluation"/>, against an imported
/// dataset version. Refusals are <see cref="DomainException"/>s, which Cauchy.ServiceDefaults turns into statuses.
/// </summary>
public sealed class MetricsService(IEvaluationStore store, DatasetEvaluation datasetEvaluation, IOptions<EvaluationLimits> limits, ILogger<MetricsService> logger) : Cauchy.V1.Metrics.MetricsBase
{
    public override async Task<EvaluateResponse> Evaluate(IAsyncStreamReader<EvaluateRequest> requestStream, ServerCallContext context)
    {
        var token = context.CancellationToken;
        if (!await requestStream.MoveNext(token))
        {
            throw InvalidArgument("the request stream is empty; the first message must be a header");
        }

        if (requestStream.Current.PayloadCase != EvaluateRequest.PayloadOneofCase.Header)
        {
            throw InvalidArgument("header: the first message must be a header, then batches of predictions");
        }

        var header = requestStream.Current.Header;
        Evaluation evaluation;
        if (header.GroundTruth is not null)
        {
            evaluation = await datasetEvaluation.RunAsync(header, Batches(requestStream, token), NewId(), token);
        }
        else
        {
            var session = EvaluationSession.Start(header, limits.Value);
            await foreach (var batch in Batches(requestStream, token))
            {
                session.Add(batch);
            }

            evaluation = session.Finish(NewId());
        }

        await store.SaveAsync(evaluation, token);
        logger.LogInformation(
            "Evaluation {EvaluationId}: {Kind} of {Samples} samples for job '{JobId}', {Headline} {Value:F4}",
            evaluation.Id, evaluation.Kind, evaluation.SampleCount, evaluation.JobId, Headline(evaluation), evaluation.Summary.GetValueOrDefault(Headline(evaluation)));
        return new EvaluateResponse { Evaluation = evaluation };
    }

    public override async Task<GetEvaluationResponse> GetEvaluation(GetEvaluationRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.EvaluationId))
        {
            throw InvalidArgument("evaluation_id: is required");
        }

        var evaluation = await store.FindAsync(request.EvaluationId, context.CancellationToken)
            ?? throw DomainException.NotFound($"evaluation '{request.EvaluationId}' does not exist");
        return new GetEvaluationResponse { Evaluation = evaluation };
    }

    public override async Task<ListEvaluationsResponse> ListEvaluations(ListEvaluationsRequest request, ServerCallContext context)
    {
        var pageSize = PageToken.Size(request.PageSize);

        if (request.ModelVersion is { } model && (model.ModelName.Length == 0 || model.Version < 0))
        {
            throw InvalidArgument("model_version: needs a model name, and a version ≥ 0 (0 means every version)");
        }

        if (request.DatasetVersion is { } dataset && dataset.DatasetId.Length == 0)
        {
            throw InvalidArgument("dataset_version: needs a dataset id (and optionally a version id)");
        }

        var filter = new EvaluationFilter(
            request.JobId.Length == 0 ? null : request.JobId,
            request.ModelVersion?.ModelName,
            request.ModelVersion?.Version ?? 0,
            request.Kind == EvaluationKind.Unspecified ? null : request.Kind,
            request.IncludeDetails,
            request.DatasetVersion?.DatasetId,
            request.DatasetVersion is { VersionId.Length: > 0 } version ? version.VersionId : null);
        var page = await store.ListAsync(filter, pageSize, request.PageToken.Length == 0 ? null : request.PageToken, context.CancellationToken);

        var response = new ListEvaluationsResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Evaluations.AddRange(page.Evaluations);
        return response;
    }

    /// <summary>The batches after the header; a second header is refused.</summary>
    private static async IAsyncEnumerable<PredictionBatch> Batches(IAsyncStreamReader<EvaluateRequest> requestStream, [EnumeratorCancellation] CancellationToken token)
    {
        var batches = 0;
        while (await requestStream.MoveNext(token))
        {
            batches++;
            var message = requestStream.Current;
            if (message.PayloadCase != EvaluateRequest.PayloadOneofCase.Batch)
            {
                throw InvalidArgument($"message {batches + 1}: only the first message may carry a header; later ones carry a batch");
            }

            yield return message.Batch;
        }
    }

    private static string Headline(Evaluation evaluation) => evaluation.ResultCase switch
    {
        Evaluation.ResultOneofCase.Detection => "map",
        Evaluation.ResultOneofCase.Segmentation => "mean_iou",
        _ => "accuracy",
    };

    private static string NewId() => Guid.CreateVersion7().ToString("N");

    private static DomainException InvalidArgument(string message) => DomainException.InvalidArgument(message);
}
