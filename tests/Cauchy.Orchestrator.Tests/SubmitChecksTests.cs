using Cauchy.V1;
using Grpc.Core;
using Xunit;

namespace Cauchy.Orchestrator.Tests;

/// <summary>
/// What a trainer would find out only after leasing a job is refused at SubmitJob, over gRPC against the process,
/// with the pinned version's metadata from <see cref="FakeCatalogServer"/>: image sizes the architecture cannot take
/// (the sides computed from its strides, pools and kernels), images of several sizes without model.options.image_size,
/// a version without classes or train samples, model options the trainer does not read, and a task the dataset is not
/// annotated for.
/// </summary>
public sealed class SubmitChecksTests(OrchestratorFixture fixture) : IClassFixture<OrchestratorFixture>
{
    [Fact]
    public async Task Images_smaller_than_the_architecture_takes_are_refused_at_submission_naming_size_and_minimum()
    {
        var refusal = await RefusedAsync(Hypes("small_cnn", "tiny"));

        Assert.Equal(StatusCode.FailedPrecondition, refusal.StatusCode);
        Assert.StartsWith("spec.dataset: the training images of version 't1' of dataset 'tiny' are 8x8, but small_cnn needs an input side of 28 to 31", refusal.Status.Detail);
        Assert.Contains("minimum 28", refusal.Status.Detail);
        Assert.Contains("spec.model.options.image_size", refusal.Status.Detail);
    }

    [Fact]
    public async Task The_same_images_are_accepted_by_an_architecture_that_takes_them_or_when_resized_to_a_size_it_takes()
    {
        Assert.Equal("t1", (await AcceptedAsync(Hypes("resnet18", "tiny"))).Spec.Dataset.VersionId);
        Assert.Equal("t1", (await AcceptedAsync(Hypes("small_cnn", "tiny", "image_size: '28'"))).Spec.Dataset.VersionId);
        Assert.Equal("v2", (await AcceptedAsync(Hypes("small_cnn", "fashion"))).Spec.Dataset.VersionId);
    }

    [Fact]
    public async Task An_image_size_outside_what_the_architecture_takes_is_an_invalid_argument()
    {
        var vgg = await RefusedAsync(Hypes("vgg11_bn", "fashion", "image_size: '31x64'"));
        Assert.Equal(StatusCode.InvalidArgument, vgg.StatusCode);
        Assert.Contains("spec.model.options.image_size (line 3): is 31x64, but vgg11_bn needs an input side of at least 32", vgg.Status.Detail);

        var cnn = await RefusedAsync(Hypes("small_cnn", "fashion", "image_size: '64'"));
        Assert.Equal(StatusCode.InvalidArgument, cnn.StatusCode);
        Assert.Contains("spec.model.options.image_size (line 3): is 64x64, but small_cnn needs an input side of 28 to 31", cnn.Status.Detail);
    }

    [Fact]
    public async Task Training_images_of_several_sizes_need_an_image_size()
    {
        var refusal = await RefusedAsync(Hypes("resnet18", "mixed"));

        Assert.Equal(StatusCode.FailedPrecondition, refusal.StatusCode);
        Assert.StartsWith("spec.model.options.image_size is not set, and the training images of version 'm1' of dataset 'mixed' have different sizes (20–40 wide, 24–32 high)", refusal.Status.Detail);
        Assert.Equal("m1", (await AcceptedAsync(Hypes("resnet18", "mixed", "image_size: '32'"))).Spec.Dataset.VersionId);
    }

    [Fact]
    public async Task A_version_without_class_names_is_refused()
    {
        var refusal = await RefusedAsync(Hypes("resnet18", "classless"));

        Assert.Equal(StatusCode.FailedPrecondition, refusal.StatusCode);
        Assert.Equal("spec.dataset: version 'c1' of dataset 'classless' has no class names; the model's classifier head needs at least 1 class", refusal.Status.Detail);
    }

    [Fact]
    public async Task Model_options_the_trainer_does_not_read_or_cannot_honour_are_refused_each_by_name()
    {
        var refusal = await RefusedAsync(Hypes("vgg11_bn", "fashion", "width: '64', small_image_stem: 'true', dropout: '1.5', image_size: 'big'"));

        Assert.Equal(StatusCode.InvalidArgument, refusal.StatusCode);
        Assert.Contains("spec.model.options.width (line 3): is not a model option; known: image_size, small_image_stem, dropout", refusal.Status.Detail);
        Assert.Contains("spec.model.options.small_image_stem (line 3): is true but vgg11_bn has no small-image stem; resnet18 and resnet34 have one", refusal.Status.Detail);
        Assert.Contains("spec.model.options.dropout (line 3): is '1.5'; expected a number in [0, 1)", refusal.Status.Detail);
        Assert.Contains("spec.model.options.image_size (line 3): is 'big'; expected a size such as 32 or 32x48", refusal.Status.Detail);
    }

    [Fact]
    public async Task A_task_the_dataset_is_not_annotated_for_is_refused()
    {
        var refusal = await RefusedAsync(Hypes("resnet18", "shapes"));

        Assert.Equal(StatusCode.InvalidArgument, refusal.StatusCode);
        Assert.Equal("spec.task_type: is Classification but dataset 'shapes' is annotated for Detection", refusal.Status.Detail);
    }

    private static HypesDocument Hypes(string architecture, string dataset, string? options = null) => new()
    {
        Text = Specs.HypesYaml
            .Replace("model: { architecture: simple_cnn }", options is null
                ? $"model: {{ architecture: {architecture} }}"
                : $"model: {{ architecture: {architecture}, options: {{ {options} }} }}")
            .Replace("dataset_id: fashion", $"dataset_id: {dataset}"),
        Format = HypesFormat.Yaml,
    };

    private async Task<Job> AcceptedAsync(HypesDocument hypes) =>
        (await fixture.Client.SubmitJobAsync(new SubmitJobRequest { Hypes = hypes, ValidateOnly = true }, JobsServiceTests.Deadline())).Job;

    private async Task<RpcException> RefusedAsync(HypesDocument hypes) =>
        await Assert.ThrowsAsync<RpcException>(() => AcceptedAsync(hypes));
}
