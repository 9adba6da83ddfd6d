namespace Cauchy.Torch.Models;

/// <summary>
/// Classification networks built by name from <see cref="ModelOptions"/>, the way a job's hypes name them
/// (mmdetection's registry). Names, module names and initialisation follow torchvision 0.14, so torchvision's
/// state_dict keys load directly and parameter counts match. Adding an architecture is one class and one
/// <see cref="Register"/> call.
/// </summary>
public static class ModelZoo
{
    private static readonly Dictionary<string, Func<ModelOptions, nn.Module<Tensor, Tensor>>> Factories = new(StringComparer.Ordinal)
    {
        ["small_cnn"] = o => new SmallCnn(o),
        ["resnet18"] = o => ResNet.ResNet18(o),
        ["resnet34"] = o => ResNet.ResNet34(o),
        ["vgg11_bn"] = o => Vgg.Vgg11Bn(o),
        ["vgg16_bn"] = o => Vgg.Vgg16Bn(o),
        ["shufflenet_v2_x0_5"] = o => ShuffleNetV2.X0_5(o),
        ["shufflenet_v2_x1_0"] = o => ShuffleNetV2.X1_0(o),
        ["mobilenet_v2"] = o => new MobileNetV2(o),
    };

    private static readonly Lock Gate = new();

    /// <summary>The registered architecture names, sorted.</summary>
    public static IReadOnlyList<string> Names
    {
        get
        {
            lock (Gate)
            {
                return [.. Factories.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Builds the named architecture with fresh weights drawn from the global generator (seed it with torch.manual_seed).</summary>
    public static nn.Module<Tensor, Tensor> Create(string name, ModelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Func<ModelOptions, nn.Module<Tensor, Tensor>>? factory;
        lock (Gate)
        {
            Factories.TryGetValue(name, out factory);
        }

        if (factory is null)
        {
            throw new ArgumentException($"unknown model \"{name}\"; known models: {string.Join(", ", Names)}", nameof(name));
        }

        options ??= new ModelOptions();
        if (options.NumClasses < 1)
        {
            throw new ArgumentException($"NumClasses must be at least 1, got {options.NumClasses}", nameof(options));
        }

        if (options.InChannels < 1)
        {
            throw new ArgumentException($"InChannels must be at least 1, got {options.InChannels}", nameof(options));
        }

        if (options.Dropout is < 0 or > 1)
        {
            throw new ArgumentException($"Dropout must be between 0 and 1, got {options.Dropout}", nameof(options));
        }

        return factory(options);
    }

    /// <summary>Adds (or replaces) an architecture under <paramref name="name"/>.</summary>
    public static void Register(string name, Func<ModelOptions, nn.Module<Tensor, Tensor>> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(factory);
        lock (Gate)
        {
            Factories[name] = factory;
        }
    }

    internal static void RejectSmallImageStem(ModelOptions options, string model)
    {
        if (options.SmallImageStem)
        {
            throw new ArgumentException($"{model} has no small-image stem; SmallImageStem is supported by resnet18 and resnet34", nameof(options));
        }
    }
}
