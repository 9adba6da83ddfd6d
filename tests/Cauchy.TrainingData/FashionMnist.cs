// Lives here, not in Cauchy.Torch: the tensor library reads no dataset files, and its only users are the engine's
// tests (tests/Cauchy.Torch.Tests) and the training benchmark (bench/Cauchy.Train.Bench), which both reference this
// project. The benchmark does not use Cauchy.Testing, whose databases, storage and xunit it has no need for. The IDX
// parsing is Cauchy.Idx's, shared with the datasets service's importer.
using Cauchy.Idx;
using Cauchy.Torch.Data;

namespace Cauchy.TrainingData;

/// <summary>
/// Fashion-MNIST (60,000 training and 10,000 test 28×28 grey images, 10 classes) from the IDX files of Debian's
/// <c>dataset-fashion-mnist</c> package (<c>make deps</c> installs it), or from another folder holding the same files.
/// </summary>
public static class FashionMnist
{
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Per-channel mean and standard deviation of the training images (after ÷255), for normalisation.</summary>
    public const float Mean = 0.2860f;

    public const float Std = 0.3530f;

    public static readonly string[] Classes =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The training (<paramref name="train"/>) or test images, in file order.</summary>
    public static ImageSample[] Load(bool train, string directory = DefaultDirectory)
    {
        string prefix = train ? "train" : "t10k";
        return ReadImages(Find(directory, $"{prefix}-images-idx3-ubyte"), Find(directory, $"{prefix}-labels-idx1-ubyte"));
    }

    /// <summary>
    /// Reads an images file (n × rows × cols) and its labels file (n) into grey <see cref="ImageSample"/>s, in file order.
    /// </summary>
    public static ImageSample[] ReadImages(string imagesPath, string labelsPath)
    {
        (int[] imageShape, byte[] pixels) = IdxFile.Read(imagesPath);
        (int[] labelShape, byte[] labels) = IdxFile.Read(labelsPath);
        if (imageShape.Length != 3)
        {
            throw new InvalidDataException($"{imagesPath}: images need 3 dimensions (n, rows, cols), the file has {imageShape.Length}");
        }

        if (labelShape.Length != 1 || labelShape[0] != imageShape[0])
        {
            throw new InvalidDataException(
                $"{labelsPath}: {string.Join('x', labelShape)} labels do not match the {imageShape[0]} images of {imagesPath}");
        }

        int rows = imageShape[1], cols = imageShape[2], size = rows * cols;
        var samples = new ImageSample[imageShape[0]];
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = new ImageSample(pixels.AsSpan(i * size, size).ToArray(), rows, cols, 1, labels[i]);
        }

        return samples;
    }

    // Debian ships the files gzipped; an unpacked copy works too.
    private static string Find(string directory, string name)
    {
        string plain = Path.Combine(directory, name);
        string gz = plain + ".gz";
        return File.Exists(gz) ? gz : File.Exists(plain) ? plain : throw new FileNotFoundException(
            $"Fashion-MNIST file {gz} (or {name}) not found: install Debian's dataset-fashion-mnist (make deps) or pass the folder holding the IDX files", gz);
    }
}
