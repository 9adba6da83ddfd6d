using Cauchy.Torch;
using Cauchy.Torch.Data;
using Cauchy.Torch.Models;

namespace Cauchy.Train.Bench;

/// <summary>
/// --cuda-check: what a GPU machine must show before its timings mean anything (scripts/device/gpu-bench.sh runs it
/// after building the shim against the machine's CUDA libtorch). The binding sees the GPU and reads its properties;
/// tensors make the round trip unchanged; an operation mixing a CPU and a CUDA tensor raises an exception naming
/// both devices instead of crashing; the small CNN gives the same logits, loss and gradients on the GPU as on the
/// CPU from the same weights and batch (to TF32-level tolerance: cuDNN may use TF32 for convolutions). Prints one
/// line per check and returns false when any fails.
/// </summary>
internal static class CudaCheck
{
    // cuDNN convolutions may run in TF32 (10-bit mantissa): relative differences around 1e-3 are expected there.
    private const double Tolerance = 1e-2;

    internal static bool Run(ImageSample[] train)
    {
        int failures = 0;
        void Report(string check, bool ok, string detail)
        {
            Console.WriteLine($"cuda-check {(ok ? "PASS" : "FAIL")} {check}: {detail}");
            failures += ok ? 0 : 1;
        }

        bool available = torch.cuda.is_available();
        Report("available", available, $"torch.cuda.is_available()={available}, device_count={torch.cuda.device_count()}");
        if (!available)
        {
            return false;
        }

        CudaDeviceProperties properties = torch.cuda.get_device_properties(0);
        (long free, long total) = torch.cuda.mem_get_info(0);
        Report("properties", properties.total_memory > 0 && total == properties.total_memory && free <= total,
            $"{properties}; mem_get_info free {free} of {total} bytes");
        Report("properties out of range", Throws(() => torch.cuda.get_device_properties(torch.cuda.device_count()), out string outOfRange) && outOfRange.Contains("out of range", StringComparison.Ordinal),
            outOfRange);

        Device cuda = EngineRuns.Parse("cuda");
        Device cpu = EngineRuns.Cpu;
        using (torch.NewDisposeScope())
        {
            torch.manual_seed(3);
            Tensor host = torch.randn([1000, 1000]);
            Tensor onGpu = host.to(cuda);
            Tensor back = onGpu.to(cpu);
            Report("round trip", onGpu.device == cuda && back.equal(host), $"[1000, 1000] float32 to {onGpu.device} and back, equal: {back.equal(host)}");
            bool threw = Throws(() => _ = host + onGpu, out string mixed);
            Report("mixed devices", threw && mixed.Contains("cuda", StringComparison.OrdinalIgnoreCase) && mixed.Contains("cpu", StringComparison.OrdinalIgnoreCase),
                threw ? $"TorchException: {FirstLine(mixed)}" : "no exception");
            torch.cuda.synchronize();
        }

        using (torch.NewDisposeScope())
        {
            CompareSmallCnn(train, cpu, cuda, Report);
        }

        Console.WriteLine($"cuda-check: {(failures == 0 ? "all passed" : $"{failures} failed")}");
        return failures == 0;
    }

    // The same weights and batch through the small CNN on both devices (eval mode for the logits, then one
    // training-mode forward and backward with dropout off so nothing random differs).
    private static void CompareSmallCnn(ImageSample[] train, Device cpu, Device cuda, Action<string, bool, string> report)
    {
        torch.manual_seed(0);
        using var model = ModelZoo.Create("small_cnn", new ModelOptions { NumClasses = 10, InChannels = 1, Dropout = 0 });
        // One normalised batch from the bench's own loader, on the CPU; each pass copies it to its device.
        using Batch batch = EngineRuns.TrainLoader(train, 64).Epoch(0).First();
        Tensor images = batch.images;
        Tensor targets = batch.labels;
        long n = images.shape[0];
        // Eval-mode logits on both devices first: a training-mode forward updates batch norm's running statistics,
        // which eval mode reads. Training-mode passes use the batch's own statistics, so their order does not matter.
        Tensor Logits(Device device)
        {
            model.to(device);
            model.eval();
            using (torch.no_grad())
            {
                return model.call(images.to(device)).to(cpu);
            }
        }

        (Tensor loss, Tensor grad) TrainingPass(Device device)
        {
            model.to(device);
            model.train();
            foreach (nn.Parameter parameter in model.parameters())
            {
                parameter.grad?.zero_();
            }

            Tensor loss = nn.functional.cross_entropy(model.call(images.to(device)), targets.to(device));
            loss.backward();
            Tensor grad = model.named_parameters().First(p => p.name == "conv1.weight").parameter.grad!.to(cpu);
            return (loss.to(cpu), grad);
        }

        Tensor cpuLogits = Logits(cpu);
        Tensor gpuLogits = Logits(cuda);
        (Tensor cpuLoss, Tensor cpuGrad) = TrainingPass(cpu);
        (Tensor gpuLoss, Tensor gpuGrad) = TrainingPass(cuda);
        double logitError = RelativeError(gpuLogits, cpuLogits);
        double lossError = RelativeError(gpuLoss, cpuLoss);
        double gradError = RelativeError(gpuGrad, cpuGrad);
        report("small_cnn logits", logitError < Tolerance, $"relative error {logitError:E2} (eval, batch {n})");
        report("small_cnn loss", lossError < Tolerance, $"cpu {cpuLoss.item<float>():F6} cuda {gpuLoss.item<float>():F6}, relative error {lossError:E2}");
        report("small_cnn conv1 gradient", gradError < Tolerance, $"relative error {gradError:E2}");
    }

    // ‖a − b‖ / ‖b‖ in float64; NaN never passes a comparison with the tolerance.
    private static double RelativeError(Tensor a, Tensor b)
    {
        Tensor a64 = a.to(ScalarType.Float64);
        Tensor b64 = b.to(ScalarType.Float64);
        double difference = Math.Sqrt((a64 - b64).pow(2).sum().item<double>());
        double reference = Math.Sqrt(b64.pow(2).sum().item<double>());
        return difference / reference;
    }

    private static bool Throws(Action action, out string message)
    {
        try
        {
            action();
            message = string.Empty;
            return false;
        }
        catch (TorchException e)
        {
            message = e.Message;
            return true;
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0];
}
