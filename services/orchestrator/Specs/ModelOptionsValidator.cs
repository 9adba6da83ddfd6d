using System.Globalization;
using Cauchy.Domain.Architectures;
using Cauchy.V1;

namespace Cauchy.Orchestrator.Specs;

/// <summary>
/// spec.model.options as the trainer reads them (<see cref="ArchitectureCatalog.ModelOptionNames"/>): no other key,
/// each value of its type, a small-image stem only where the architecture has one, and an image_size inside the input
/// sides the architecture takes (computed from its strides, pools and kernels by <see cref="ArchitectureShape"/>).
/// </summary>
public static class ModelOptionsValidator
{
    public static void Validate(ModelSpec model, Action<string, string> fail)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(fail);
        foreach (var key in model.Options.Keys.Where(k => !ArchitectureCatalog.ModelOptionNames.Contains(k)).Order(StringComparer.Ordinal))
        {
            fail($"spec.model.options.{key}", $"is not a model option; known: {string.Join(", ", ArchitectureCatalog.ModelOptionNames)}");
        }

        var shape = ArchitectureCatalog.Find(model.Architecture);
        var smallStem = false;
        if (model.Options.TryGetValue(ArchitectureCatalog.SmallImageStemOption, out var stem))
        {
            if (!bool.TryParse(stem, out smallStem))
            {
                fail($"spec.model.options.{ArchitectureCatalog.SmallImageStemOption}", $"is '{stem}'; expected true or false");
            }
            else if (smallStem && shape is { HasSmallImageStem: false })
            {
                fail($"spec.model.options.{ArchitectureCatalog.SmallImageStemOption}",
                    $"is true but {shape.Name} has no small-image stem; {string.Join(" and ", ArchitectureCatalog.Names.Where(n => ArchitectureCatalog.Find(n)!.HasSmallImageStem))} have one");
            }
        }

        if (model.Options.TryGetValue(ArchitectureCatalog.DropoutOption, out var dropout)
            && (!double.TryParse(dropout, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) || rate is < 0 or >= 1 || double.IsNaN(rate)))
        {
            fail($"spec.model.options.{ArchitectureCatalog.DropoutOption}", $"is '{dropout}'; expected a number in [0, 1)");
        }

        if (model.Options.TryGetValue(ArchitectureCatalog.ImageSizeOption, out var text))
        {
            if (ImageSize.Parse(text) is not { } size)
            {
                fail($"spec.model.options.{ArchitectureCatalog.ImageSizeOption}",
                    $"is '{text}'; expected a size such as 32 or 32x48 (height x width, 1 to {ArchitectureShape.MaxInputSide})");
            }
            else if (shape is not null && InputSideProblem(shape, smallStem, size) is { } problem)
            {
                fail($"spec.model.options.{ArchitectureCatalog.ImageSizeOption}", $"is {size}, but {problem}");
            }
        }
    }

    /// <summary>Why <paramref name="shape"/> cannot take images of <paramref name="size"/>; null when it can.</summary>
    public static string? InputSideProblem(ArchitectureShape shape, bool smallImageStem, ImageSize size)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(size);
        var sides = shape.InputSides(smallImageStem);
        if (sides.Admits(size.Height) && sides.Admits(size.Width))
        {
            return null;
        }

        var stem = smallImageStem ? " with the small-image stem" : "";
        return sides.Max is null
            ? $"{shape.Name}{stem} needs an input side of at least {sides.Min} (its strides, pools and kernels leave nothing of a smaller image)"
            : $"{shape.Name}{stem} needs an input side of {sides} (minimum {sides.Min}: its classifier takes a fixed-size feature map)";
    }
}
