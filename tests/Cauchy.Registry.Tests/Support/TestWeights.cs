using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cauchy.V1;

namespace Cauchy.Registry.Tests.Support;

/// <summary>Deterministic safetensors files for tests: one F32 tensor of pseudo-random values.</summary>
public static class TestWeights
{
    /// <summary>A safetensors file with one F32 tensor "weight" of <paramref name="floats"/> values.</summary>
    public static byte[] Safetensors(int floats, int seed)
    {
        var header = Header(floats);
        var bytes = new byte[8 + header.Length + (floats * 4L)];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), (long)header.Length);
        header.CopyTo(bytes, 8);
        new Random(seed).NextBytes(bytes.AsSpan(8 + header.Length));
        return bytes;
    }

    public static byte[] Header(long floats)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" },
            ["weight"] = new { dtype = "F32", shape = new[] { floats }, data_offsets = new[] { 0L, floats * 4 } },
        });
        // The header is padded with spaces to a multiple of 8 bytes, as the safetensors writer does.
        var padded = json.PadRight((json.Length + 7) / 8 * 8);
        return Encoding.UTF8.GetBytes(padded);
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static WeightsUpload Upload(byte[] bytes) => new() { SizeBytes = bytes.Length, Sha256 = Sha256(bytes) };

    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    public static Lineage Lineage(string architecture = "simple_cnn", TaskType task = TaskType.Classification, string dataset = "fashion-mnist", string datasetVersion = "v1") => new()
    {
        JobId = "job-" + Guid.NewGuid().ToString("N")[..8],
        Attempt = 1,
        DatasetVersion = new DatasetVersionRef { DatasetId = dataset, VersionId = datasetVersion },
        JobSpec = new JobSpec
        {
            TaskType = task,
            Model = new ModelSpec { Architecture = architecture },
            Hyperparameters = new Hyperparameters { Epochs = 3, BatchSize = 128 },
        },
    };
}
