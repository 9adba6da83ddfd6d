using Cauchy.Data;
using Cauchy.Orchestrator.Jobs;
using Cauchy.Orchestrator.Specs;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Cauchy.Orchestrator.Grpc;

/// <summary>
/// The cauchy.v1.Jobs gRPC service: reads the request, calls <see cref="JobQueue"/>, maps the answer. Domain refusals
/// become their status codes here (<see cref="Translate"/>); the state machine itself is in <see cref="JobStateMachine"/>.
/// </summary>
public sealed class JobsService(JobQueue queue) : V1.Jobs.JobsBase
{
    public override Task<SubmitJobResponse> SubmitJob(SubmitJobRequest request, ServerCallContext context) => Translate(async () =>
    {
        var result = await queue.SubmitAsync(request, context.CancellationToken);
        return new SubmitJobResponse { Job = result.Job, AlreadyExisted = result.AlreadyExisted };
    });

    public override Task<GetJobResponse> GetJob(GetJobRequest request, ServerCallContext context) => Translate(async () =>
        new GetJobResponse { Job = await queue.GetAsync(request.JobId, context.CancellationToken) });

    public override Task<ListJobsResponse> ListJobs(ListJobsRequest request, ServerCallContext context) => Translate(async () =>
    {
        var page = await queue.ListAsync(request, context.CancellationToken);
        var response = new ListJobsResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Jobs.AddRange(page.Jobs);
        return response;
    });

    public override Task<CancelJobResponse> CancelJob(CancelJobRequest request, ServerCallContext context) => Translate(async () =>
        new CancelJobResponse { Job = await queue.CancelAsync(request.JobId, request.Reason, context.CancellationToken) });

    public override Task<LeaseJobResponse> LeaseJob(LeaseJobRequest request, ServerCallContext context) => Translate(async () =>
    {
        var wait = request.Wait?.ToTimeSpan() ?? TimeSpan.Zero;
        var grant = await queue.LeaseAsync(request.WorkerId, request.Device, request.Architectures, wait, context.CancellationToken);
        if (grant is null)
        {
            return new LeaseJobResponse();
        }

        return new LeaseJobResponse
        {
            Job = grant.Job,
            LeaseId = grant.LeaseId,
            LeaseExpireTime = Timestamp.FromDateTime(grant.ExpiresAt),
            HeartbeatInterval = Duration.FromTimeSpan(grant.HeartbeatInterval),
            ResumeFrom = grant.ResumeFrom,
        };
    });

    public override Task<HeartbeatResponse> Heartbeat(HeartbeatRequest request, ServerCallContext context) => Translate(async () =>
    {
        var result = await queue.HeartbeatAsync(request, context.CancellationToken);
        return new HeartbeatResponse { LeaseExpireTime = Timestamp.FromDateTime(result.LeaseExpiresAt), CancelRequested = result.CancelRequested };
    });

    public override Task<CompleteJobResponse> CompleteJob(CompleteJobRequest request, ServerCallContext context) => Translate(async () =>
        new CompleteJobResponse { Job = await queue.CompleteAsync(request, context.CancellationToken) });

    public override Task<FailJobResponse> FailJob(FailJobRequest request, ServerCallContext context) => Translate(async () =>
        new FailJobResponse { Job = await queue.FailAsync(request, context.CancellationToken) });

    public override Task<ReleaseJobResponse> ReleaseJob(ReleaseJobRequest request, ServerCallContext context) => Translate(async () =>
        new ReleaseJobResponse { Job = await queue.ReleaseAsync(request, context.CancellationToken) });

    public override Task WatchJob(WatchJobRequest request, IServerStreamWriter<WatchJobResponse> responseStream, ServerCallContext context) => Translate(async () =>
    {
        await foreach (var jobEvent in queue.WatchAsync(request.JobId, context.CancellationToken))
        {
            await responseStream.WriteAsync(new WatchJobResponse { Event = jobEvent }, context.CancellationToken);
        }

        return true;
    });

    public override Task StreamLogs(StreamLogsRequest request, IServerStreamWriter<StreamLogsResponse> responseStream, ServerCallContext context) => Translate(async () =>
    {
        await foreach (var lines in queue.StreamLogsAsync(request.JobId, request.Follow, request.TailLines, request.AfterSequence, context.CancellationToken))
        {
            var response = new StreamLogsResponse();
            response.Lines.AddRange(lines);
            await responseStream.WriteAsync(response, context.CancellationToken);
        }

        return true;
    });

    public override Task<AppendLogsResponse> AppendLogs(IAsyncStreamReader<AppendLogsRequest> requestStream, ServerCallContext context) => Translate(async () =>
    {
        var token = context.CancellationToken;
        if (!await requestStream.MoveNext(token))
        {
            throw JobException.InvalidArgument("lease_id", "is required in the first message; the stream was empty");
        }

        var leaseId = requestStream.Current.LeaseId;
        if (leaseId.Length == 0)
        {
            throw JobException.InvalidArgument("lease_id", "is required in the first message");
        }

        long appended = await queue.AppendLogsAsync(leaseId, requestStream.Current.Lines, token);
        while (await requestStream.MoveNext(token))
        {
            appended += await queue.AppendLogsAsync(leaseId, requestStream.Current.Lines, token);
        }

        return new AppendLogsResponse { LinesAppended = appended };
    });

    public override Task<GetJobMetricsResponse> GetJobMetrics(GetJobMetricsRequest request, ServerCallContext context) => Translate(async () =>
    {
        var response = new GetJobMetricsResponse();
        response.Series.AddRange(await queue.GetMetricsAsync(request.JobId, request.Names, context.CancellationToken));
        return response;
    });

    /// <summary>Runs a call and turns the domain's refusals into gRPC statuses a caller can act on.</summary>
    private static async Task<T> Translate<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (InvalidJobSpecException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
        catch (JobException ex)
        {
            throw new RpcException(new Status(ex.Kind switch
            {
                JobErrorKind.InvalidArgument => StatusCode.InvalidArgument,
                JobErrorKind.NotFound => StatusCode.NotFound,
                JobErrorKind.AlreadyExists => StatusCode.AlreadyExists,
                _ => StatusCode.FailedPrecondition,
            }, ex.Message));
        }
        catch (Exception ex) when (DbErrors.ToRpcException(ex, "the job") is { } status)
        {
            throw status;
        }
    }
}
