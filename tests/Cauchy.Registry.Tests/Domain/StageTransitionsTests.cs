using Cauchy.Domain;
using Cauchy.Registry.Domain;
using Cauchy.ServiceDefaults.GrpcServer;
using Cauchy.V1;
using Grpc.Core;
using Xunit;

namespace Cauchy.Registry.Tests.Domain;

public sealed class StageTransitionsTests
{
    private static readonly ModelStage[] Stages = [ModelStage.None, ModelStage.Staging, ModelStage.Production, ModelStage.Archived];

    [Fact]
    public void Exactly_the_documented_moves_are_allowed()
    {
        var allowed = Stages.SelectMany(from => Stages.Where(to => to != from && StageTransitions.IsAllowed(from, to)).Select(to => $"{from}->{to}")).ToList();
        Assert.Equal(
            ["None->Staging", "None->Production", "None->Archived", "Staging->Production", "Staging->Archived",
             "Production->Archived", "Archived->Staging", "Archived->Production"],
            allowed);
        Assert.All(Stages, stage => Assert.True(StageTransitions.IsAllowed(stage, stage)));
    }

    [Fact]
    public void A_refused_move_names_the_model_version_and_both_stages()
    {
        var error = DomainExceptionInterceptor.ToRpcException(
            Assert.Throws<DomainException>(() => StageTransitions.Check("resnet", 3, ModelStage.Production, ModelStage.Staging)));
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("'resnet' version 3 cannot move from PRODUCTION to STAGING", error.Status.Detail, StringComparison.Ordinal);
    }
}
