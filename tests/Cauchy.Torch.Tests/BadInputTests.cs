using Cauchy.Torch.Data;
using Cauchy.Torch.Models;
using Cauchy.Torch.Training;
using Xunit;

namespace Cauchy.Torch.Tests;

// The bad inputs the engine must survive that other files do not already cover (shapes: ErrorTests/NnErrorTests; state-dict
// keys: ModuleTests/CheckpointTests; corrupt safetensors: SafetensorsTests; undecodable images: VisionTests; IDX
// files: FashionMnistTests): each raises an exception that names the tensor, dtype, device or file, and the process
// carries on.
public sealed class BadInputTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cauchy-bad-input-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void DtypeMismatch_Float64InputToAFloat32Layer_SaysTheDtypesDiffer()
    {
        torch.manual_seed(0);
        using var linear = new nn.Linear(4, 2);
        using Tensor input = torch.ones([3, 4]).to(ScalarType.Float64);

        // libtorch 1.13's words: "mat1 and mat2 must have the same dtype" (it names the operands, not the dtypes).
        var error = Assert.Throws<TorchException>(() => linear.call(input));
        Assert.Contains("same dtype", error.Message);
        using Tensor good = torch.ones([3, 4]);
        using Tensor output = linear.call(good);
        Assert.Equal([3L, 2], output.shape);
    }

    [Fact]
    public void DtypeMismatch_IntegerLabelsExpected_FloatLabelsOfTheWrongShapeAreRefused()
    {
        using Tensor logits = torch.ones([4, 10]);
        using Tensor labels = torch.ones([4, 3]);   // float, and not [4] class indices or [4, 10] probabilities

        var error = Assert.Throws<TorchException>(() => nn.functional.cross_entropy(logits, labels));
        Assert.Contains("target", error.Message);
    }

    [Fact]
    public void TensorsOnDifferentDevices_AreRefusedNamingTheDevices()
    {
        using Tensor cpu = torch.ones([2]);
        var cuda = new Device(DeviceType.CUDA, 0);
        if (torch.cuda.is_available())
        {
            using Tensor gpu = torch.ones([2]).to(cuda);
            var error = Assert.Throws<TorchException>(() => cpu + gpu);
            Assert.Contains("same device", error.Message);
            Assert.Contains("cpu", error.Message);
        }
        else
        {
            // No CUDA here: a batch headed for a GPU is refused with libtorch's explanation, not a crash.
            torch.manual_seed(0);
            using var model = ModelZoo.Create("small_cnn", new ModelOptions { NumClasses = 10, InChannels = 1 });
            using var optimizer = optim.SGD(model.parameters(), lr: 0.1);
            var trainer = new Trainer(model, optimizer, (x, y) => nn.functional.cross_entropy(x, y), options: new TrainerOptions { Device = cuda });
            var samples = Enumerable.Range(0, 4).Select(i => new ImageSample(new byte[28 * 28], 28, 28, 1, i)).ToArray();
            var loader = new DataLoader<ImageSample>(samples, s => s, new DataLoaderOptions { BatchSize = 4 });
            var error = Assert.Throws<TorchException>(() => trainer.TrainEpoch(loader));
            Assert.Contains("CUDA", error.Message);
        }
    }

    [Fact]
    public void MissingWeightsFile_NamesTheFile()
    {
        string path = Path.Combine(_directory, "no-such-weights.safetensors");

        Assert.Contains(path, Assert.Throws<FileNotFoundException>(() => safetensors.load_file(path)).Message);
        Assert.Contains(path, Assert.Throws<FileNotFoundException>(() => TrainingCheckpoint.Load(path)).Message);
        torch.manual_seed(0);
        using var model = ModelZoo.Create("small_cnn", new ModelOptions { NumClasses = 10, InChannels = 1 });
        using var optimizer = optim.SGD(model.parameters(), lr: 0.1);
        var trainer = new Trainer(model, optimizer, (x, y) => nn.functional.cross_entropy(x, y));
        Assert.Contains(path, Assert.Throws<FileNotFoundException>(() => trainer.Resume(path)).Message);
    }

    [Fact]
    public void TruncatedCheckpoint_NamesTheFile_AndTheModelKeepsItsWeights()
    {
        torch.manual_seed(0);
        using var model = ModelZoo.Create("small_cnn", new ModelOptions { NumClasses = 10, InChannels = 1 });
        using var optimizer = optim.SGD(model.parameters(), lr: 0.1, momentum: 0.9);
        string path = Path.Combine(_directory, "cut.safetensors");
        var trainer = new Trainer(model, optimizer, (x, y) => nn.functional.cross_entropy(x, y), options: new TrainerOptions { CheckpointPath = path });
        trainer.SaveCheckpoint();
        byte[] whole = File.ReadAllBytes(path);
        File.WriteAllBytes(path, whole[..(whole.Length / 2)]);
        float[] before;
        using (torch.NewDisposeScope())
        {
            before = model.state_dict()["fc2.weight"].ToArray<float>();
        }

        var error = Assert.Throws<InvalidDataException>(() => trainer.Resume(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
        using (torch.NewDisposeScope())
        {
            Assert.Equal(before, model.state_dict()["fc2.weight"].ToArray<float>());
        }
    }
}
