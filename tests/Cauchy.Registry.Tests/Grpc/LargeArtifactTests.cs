using Cauchy.Registry.Tests.Support;
using Cauchy.V1;
using Xunit;
using Xunit.Abstractions;

namespace Cauchy.Registry.Tests.Grpc;

/// <summary>
/// A 200 MiB artifact goes up and comes back through the real service with equal sha256 on both ends,
/// while the service's memory stays bounded. The service has a process (and this class) of its own, so its peak RSS
/// (VmHWM) is this round trip's.
/// </summary>
public sealed class LargeArtifactTests(LocalRegistryFixture fixture, ITestOutputHelper output) : IClassFixture<LocalRegistryFixture>
{
    /// <summary>
    /// The most the service's peak RSS may rise above its RSS when idle. Streaming holds a few 1 MiB messages, the
    /// HTTP/2 flow-control windows and the garbage collector's headroom; holding the artifact whole would need at least
    /// its 200 MiB. 100 MiB sits between the two with room for the collector's timing on a noisy machine.
    /// </summary>
    private const long AllowedGrowthBytes = 100L * 1024 * 1024;

    [Fact]
    public async Task A_200_MiB_artifact_round_trips_with_equal_sha256_and_bounded_service_memory()
    {
        var service = fixture.Service;
        var client = service.Client;
        var model = (await client.CreateModelAsync(new CreateModelRequest
        {
            ModelName = TestWeights.UniqueName("big"),
            TaskType = TaskType.Classification,
            Architecture = "resnet50",
        })).Model;

        // Warm up: a small round trip so JIT-compiled code and pools are in the idle figure, not in the growth.
        var small = new LargeArtifact(300_000, seed: 1);
        await client.UploadAsync(Header(model.Name, small), small.Chunks());
        await client.DownloadAsync(new ModelVersionRef { ModelName = model.Name, Version = 1 }, ArtifactKind.Weights, keepContent: false);
        var idle = service.ResidentBytes();

        var artifact = new LargeArtifact(50L * 1024 * 1024, seed: 2);   // 200 MiB of tensor data
        var expected = artifact.Sha256();
        var uploaded = await client.UploadAsync(Header(model.Name, artifact, expected), artifact.Chunks());
        Assert.Equal((expected, artifact.Length), (uploaded.ModelVersion.Weights.Sha256, uploaded.ModelVersion.Weights.SizeBytes));

        var (announced, bytes, received, _) = await client.DownloadAsync(
            new ModelVersionRef { ModelName = model.Name, Version = uploaded.ModelVersion.Version }, ArtifactKind.Weights, keepContent: false);
        Assert.Equal(expected, announced.Sha256);
        Assert.Equal((artifact.Length, expected), (bytes, received));

        var peak = service.PeakResidentBytes();
        output.WriteLine($"artifact {artifact.Length / (1024 * 1024)} MiB; service RSS idle {idle / (1024 * 1024)} MiB, peak {peak / (1024 * 1024)} MiB, growth {(peak - idle) / (1024 * 1024)} MiB");
        Assert.True(peak - idle < AllowedGrowthBytes,
            $"The service's peak RSS {peak / (1024 * 1024)} MiB is {(peak - idle) / (1024 * 1024)} MiB above its idle {idle / (1024 * 1024)} MiB; at most {AllowedGrowthBytes / (1024 * 1024)} MiB is allowed.");
    }

    private static CreateModelVersionHeader Header(string model, LargeArtifact artifact, string? sha256 = null) => new()
    {
        ModelName = model,
        Weights = new WeightsUpload { SizeBytes = artifact.Length, Sha256 = sha256 ?? artifact.Sha256() },
        Lineage = TestWeights.Lineage(architecture: "resnet50"),
    };
}
