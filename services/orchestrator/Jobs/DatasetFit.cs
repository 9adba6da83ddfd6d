using Cauchy.Domain;
using Cauchy.Domain.Architectures;
using Cauchy.Orchestrator.Datasets;
using Cauchy.Orchestrator.Specs;
using Cauchy.V1;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>
/// What a trainer would otherwise find out only after leasing the job, checked at submission against the pinned
/// version: a train split to train on, classes for the classifier's head, and training images the architecture can
/// take. The input size is model.options.image_size when given (checked with the spec), else the training images'
/// common size, which must then be one size. Channels are not refused: the trainer converts grey, RGB and RGBA
/// images to what the model takes.
/// </summary>
public static class DatasetFit
{
    /// <exception cref="DomainException">FAILED_PRECONDITION naming the field, the version's value and what the model needs.</exception>
    public static void Check(JobSpec spec, DatasetResolution dataset)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(dataset);
        var version = $"version '{dataset.VersionId}' of dataset '{dataset.DatasetId}'";
        if (dataset.TrainSamples <= 0)
        {
            throw Refuse($"spec.dataset: {version} has no samples in its train split; the trainer trains on the train split");
        }

        if (dataset.ClassCount is 0)
        {
            throw Refuse($"spec.dataset: {version} has no class names; the model's classifier head needs at least 1 class");
        }

        if (dataset.TrainImages is not { MinWidth: > 0, MinHeight: > 0 } images
            || spec.Model.Options.ContainsKey(ArchitectureCatalog.ImageSizeOption))
        {
            return;
        }

        if (images.MinWidth != images.MaxWidth || images.MinHeight != images.MaxHeight)
        {
            throw Refuse($"spec.model.options.{ArchitectureCatalog.ImageSizeOption} is not set, and the training images of {version} have different sizes " +
                $"({images.MinWidth}–{images.MaxWidth} wide, {images.MinHeight}–{images.MaxHeight} high); set it to the size to resize them to");
        }

        if (ArchitectureCatalog.Find(spec.Model.Architecture) is not { } shape)
        {
            return;
        }

        var smallStem = spec.Model.Options.TryGetValue(ArchitectureCatalog.SmallImageStemOption, out var stem) && bool.TryParse(stem, out var s) && s;
        var size = new ImageSize(images.MinHeight, images.MinWidth);
        if (ModelOptionsValidator.InputSideProblem(shape, smallStem, size) is { } problem)
        {
            throw Refuse($"spec.dataset: the training images of {version} are {size}, but {problem}; " +
                $"set spec.model.options.{ArchitectureCatalog.ImageSizeOption} to resize them");
        }
    }

    private static DomainException Refuse(string message) => DomainException.FailedPrecondition(message);
}
