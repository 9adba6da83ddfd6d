namespace Cauchy.Torch.Data;

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
        return IdxFile.ReadImages(Find(directory, $"{prefix}-images-idx3-ubyte"), Find(directory, $"{prefix}-labels-idx1-ubyte"));
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
