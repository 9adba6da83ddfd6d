using Cauchy.ServiceDefaults.GrpcClient;
using Grpc.Core;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.GrpcClient;

public sealed class IdempotencyPolicyTests
{
    private static readonly IdempotencyPolicy Policy = new(new GrpcResilienceOptions
    {
        IdempotentMethods = ["cauchy.v1.Jobs/Heartbeat", "/grpc.health.v1.Health/Check"],
        NonIdempotentMethods = ["/cauchy.v1.Jobs/GetOrCreateQueue"],
    });

    [Theory]
    [InlineData("cauchy.v1.Datasets", "GetDataset", MethodType.Unary, true)]
    [InlineData("cauchy.v1.Jobs", "ListJobs", MethodType.Unary, true)]
    [InlineData("cauchy.v1.Jobs", "Get", MethodType.Unary, true)]
    [InlineData("cauchy.v1.Jobs", "Heartbeat", MethodType.Unary, true)]
    [InlineData("grpc.health.v1.Health", "Check", MethodType.Unary, true)]
    [InlineData("cauchy.v1.Jobs", "GetOrCreateQueue", MethodType.Unary, false)]
    [InlineData("cauchy.v1.Jobs", "Getaway", MethodType.Unary, false)]
    [InlineData("cauchy.v1.Jobs", "SubmitJob", MethodType.Unary, false)]
    [InlineData("cauchy.v1.Jobs", "LeaseJob", MethodType.Unary, false)]
    [InlineData("cauchy.v1.Jobs", "WatchJob", MethodType.ServerStreaming, false)]
    [InlineData("cauchy.v1.Datasets", "GetShards", MethodType.ServerStreaming, false)]
    public void Reads_by_name_or_list_are_idempotent_the_deny_list_wins_streams_never(string service, string name, MethodType type, bool expected) =>
        Assert.Equal(expected, Policy.IsIdempotent(new Method<string, string>(type, service, name, Marshallers.StringMarshaller, Marshallers.StringMarshaller)));
}
