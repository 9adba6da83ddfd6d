using Cauchy.Domain;
using Cauchy.Orchestrator.Jobs;
using Cauchy.ServiceDefaults.Security;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Cauchy.Orchestrator.Grpc;

/// <summary>
/// The cauchy.v1.Jobs gRPC service: reads the request, calls the use case in Jobs/, maps the answer. Domain refusals
/// (<see cref="DomainException"/>) become status codes in Cauchy.ServiceDefaults' interceptor; the state machine itself
/// is in <see cref="JobStateMachine"/>.
/// </summary>
public sealed class JobsService(
    JobSubmission submission,
    JobQueries queries,
    JobCancellation cancellation,
    JobLeases leases,
    JobLogs logs,
    JobMetrics metrics,
    JobWatch watch) : V1.Jobs.JobsBase
{
    public override async Task<SubmitJobResponse> SubmitJob(SubmitJobRequest request, ServerCallContext context)
    {
        var result = await submission.SubmitAsync(request, CallerPrincipal.Of(context).Name, context.CancellationToken);
        return new SubmitJobResponse { Job = result.Job, AlreadyExisted = result.AlreadyExisted };
    }

    public override async Task<GetJobResponse> GetJob(GetJobRequest request, ServerCallContext context) =>
        new GetJobResponse { Job = await queries.GetAsync(request.JobId, context.CancellationToken) };

    public override async Task<ListJobsResponse> ListJobs(ListJobsRequest request, ServerCallContext context)
    {
        var page = await queries.ListAsync(request, context.CancellationToken);
        var response = new ListJobsResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Jobs.AddRange(page.Jobs);
        return response;
    }

    public override async Task<CancelJobResponse> CancelJob(CancelJobRequest request, ServerCallContext context)
    {
        var caller = CallerPrincipal.Of(context);
        var job = await cancellation.CancelAsync(request.JobId, request.Reason, caller.Name, caller.Has(PlatformRole.Maintainer), context.CancellationToken);
        return new CancelJobResponse { Job = job };
    }

    public override async Task<LeaseJobResponse> LeaseJob(LeaseJobRequest request, ServerCallContext context)
    {
        var wait = request.Wait?.ToTimeSpan() ?? TimeSpan.Zero;
        var grant = await leases.LeaseAsync(request.WorkerId, request.Device, request.Architectures, wait, context.CancellationToken);
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
    }

    public override async Task<HeartbeatResponse> Heartbeat(HeartbeatRequest request, ServerCallContext context)
    {
        var result = await leases.HeartbeatAsync(request, context.CancellationToken);
        return new HeartbeatResponse { LeaseExpireTime = Timestamp.FromDateTime(result.LeaseExpiresAt), CancelRequested = result.CancelRequested };
    }

    public override async Task<CompleteJobResponse> CompleteJob(CompleteJobRequest request, ServerCallContext context) =>
        new CompleteJobResponse { Job = await leases.CompleteAsync(request, context.CancellationToken) };

    public override async Task<FailJobResponse> FailJob(FailJobRequest request, ServerCallContext context) =>
        new FailJobResponse { Job = await leases.FailAsync(request, context.CancellationToken) };

    public override async Task<ReleaseJobResponse> ReleaseJob(ReleaseJobRequest request, ServerCallContext context) =>
        new ReleaseJobResponse { Job = await leases.ReleaseAsync(request, context.CancellationToken) };

    public override async Task WatchJob(WatchJobRequest request, IServerStreamWriter<WatchJobResponse> responseStream, ServerCallContext context)
    {
        await foreach (var jobEvent in watch.WatchAsync(request.JobId, context.CancellationToken))
        {
            await responseStream.WriteAsync(new WatchJobResponse { Event = jobEvent }, context.CancellationToken);
        }
    }

    public override async Task StreamLogs(StreamLogsRequest request, IServerStreamWriter<StreamLogsResponse> responseStream, ServerCallContext context)
    {
        await foreach (var lines in logs.StreamLogsAsync(request.JobId, request.Follow, request.TailLines, request.AfterSequence, context.CancellationToken))
        {
            var response = new StreamLogsResponse();
            response.Lines.AddRange(lines);
            await responseStream.WriteAsync(response, context.CancellationToken);
        }
    }

    public override async Task<AppendLogsResponse> AppendLogs(IAsyncStreamReader<AppendLogsRequest> requestStream, ServerCallContext context)
    {
        var token = context.CancellationToken;
        if (!await requestStream.MoveNext(token))
        {
            throw DomainException.InvalidArgument("lease_id", "is required in the first message; the stream was empty");
        }

        var leaseId = requestStream.Current.LeaseId;
        if (leaseId.Length == 0)
        {
            throw DomainException.InvalidArgument("lease_id", "is required in the first message");
        }

        long appended = await logs.AppendLogsAsync(leaseId, requestStream.Current.Lines, token);
        while (await requestStream.MoveNext(token))
        {
            appended += await logs.AppendLogsAsync(leaseId, requestStream.Current.Lines, token);
        }

        return new AppendLogsResponse { LinesAppended = appended };
    }

    public override async Task<GetJobMetricsResponse> GetJobMetrics(GetJobMetricsRequest request, ServerCallContext context)
    {
        var response = new GetJobMetricsResponse();
        response.Series.AddRange(await metrics.GetMetricsAsync(request.JobId, request.Names, context.CancellationToken));
        return response;
    }
}
