namespace Cauchy.Domain.Architectures;

/// <summary>
/// What the orchestrator knows of the trainers' model zoo without loading the tensor engine: each architecture's
/// <see cref="ArchitectureShape"/> (from which the input sides it takes follow) and the model options the trainer
/// reads. The trainer's tests hold the zoo to this table: the same names, and a forward pass that succeeds at each
/// minimum side and fails one below it.
/// </summary>
public static class ArchitectureCatalog
{
    /// <summary>model.options.image_size: the side(s) every image is resized to; absent, the training images' own size.</summary>
    public const string ImageSizeOption = "image_size";

    /// <summary>model.options.small_image_stem: ResNet's 3×3 stride-1 stem without max-pool, for small images.</summary>
    public const string SmallImageStemOption = "small_image_stem";

    /// <summary>model.options.dropout: the dropout before the classifier, in [0, 1).</summary>
    public const string DropoutOption = "dropout";

    /// <summary>The model options the trainer reads; any other is refused.</summary>
    public static IReadOnlyList<string> ModelOptionNames { get; } = [ImageSizeOption, SmallImageStemOption, DropoutOption];

    // Torchvision's layer plans, reduced to the layers that change the side. 3×3 convolutions with stride 2 and
    // padding 1 (and the 1×1 stride-2 projections beside them, which give the same side) halve it rounding up.
    private static readonly SpatialReduction HalvingConv = new(3, 2, 1);
    private static readonly SpatialReduction Pool2 = new(2, 2, 0);

    private static readonly ArchitectureShape[] All =
    [
        // conv 3×3 pad 1 + pool 2, twice, then fc1 over 64 × 7 × 7.
        new("small_cnn", [Pool2, Pool2], FlattenedSide: 7),
        // conv1 7×7 s2 p3, max-pool 3×3 s2 p1, layer2..4 each halving; the small stem keeps only the layers.
        new("resnet18", [new(7, 2, 3), HalvingConv, HalvingConv, HalvingConv, HalvingConv], SmallImageStemReductions: [HalvingConv, HalvingConv, HalvingConv]),
        new("resnet34", [new(7, 2, 3), HalvingConv, HalvingConv, HalvingConv, HalvingConv], SmallImageStemReductions: [HalvingConv, HalvingConv, HalvingConv]),
        // Five 2×2 max-pools; the adaptive pool to 7×7 takes any side left.
        new("vgg11_bn", [Pool2, Pool2, Pool2, Pool2, Pool2]),
        new("vgg16_bn", [Pool2, Pool2, Pool2, Pool2, Pool2]),
        // conv1 s2, max-pool 3×3 s2 p1, the first unit of stage2..4 with stride 2.
        new("shufflenet_v2_x0_5", [HalvingConv, HalvingConv, HalvingConv, HalvingConv, HalvingConv]),
        new("shufflenet_v2_x1_0", [HalvingConv, HalvingConv, HalvingConv, HalvingConv, HalvingConv]),
        // The stem s2 and the four inverted-residual settings with stride 2 (24, 32, 64 and 160 channels).
        new("mobilenet_v2", [HalvingConv, HalvingConv, HalvingConv, HalvingConv, HalvingConv]),
    ];

    private static readonly Dictionary<string, ArchitectureShape> ByName = All.ToDictionary(static a => a.Name, StringComparer.Ordinal);

    /// <summary>The architecture names, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(static a => a.Name).Order(StringComparer.Ordinal)];

    /// <summary>The shape of <paramref name="architecture"/>; null for a name the table does not know (a trainer's own architecture).</summary>
    public static ArchitectureShape? Find(string architecture) => ByName.GetValueOrDefault(architecture);
}
