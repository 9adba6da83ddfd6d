using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Cauchy.Torch.Tests;

// Interoperability is checked against reference/safetensors_stdlib.py, an independent reader/writer.
public sealed class SafetensorsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cauchy-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void FileWrittenByTheStdlibWriter_LoadsWithItsValuesAndMetadata()
    {
        string path = Path.Combine(_directory, "python.safetensors");
        PythonScript.Run("safetensors_stdlib.py", "write", path);

        Dictionary<string, Tensor> tensors = safetensors.load_file(path, out Dictionary<string, string> metadata);
        try
        {
            Assert.Equal("stdlib", metadata["source"]);
            Assert.Equal([0, 127, 128, 255], tensors["pixels"].ToArray<byte>());
            Assert.Equal([2L, 2L], tensors["pixels"].shape);
            Assert.Equal(Enumerable.Range(0, 6).Select(i => (i * 0.5f) - 1f), tensors["weight"].ToArray<float>());
            Assert.Equal([2L, 3L], tensors["weight"].shape);
            Assert.Equal([-2L, 0L, 5L, 1L << 40], tensors["index"].ToArray<long>());
            Assert.Equal([true, false, true], tensors["mask"].ToArray<bool>());
            Assert.Equal([1.0 / 3.0, -2.5e-300], tensors["double"].ToArray<double>());
            Assert.Equal([0L], tensors["empty"].shape);
        }
        finally
        {
            foreach (Tensor t in tensors.Values)
            {
                t.Dispose();
            }
        }
    }

    [Fact]
    public void FileWeWrite_IsReadByTheStdlibReader()
    {
        string path = Path.Combine(_directory, "ours.safetensors");
        using Tensor weight = torch.arange(-3.0, 3.0, 0.5).reshape(3, 4);
        using Tensor labels = torch.tensor([7L, -1L, long.MaxValue]);
        using Tensor mask = torch.tensor([false, true], [2]);
        using Tensor pixels = torch.tensor(new byte[] { 1, 2, 3 }, [1, 3]);
        using Tensor scalar = torch.tensor([Math.PI], []);
        safetensors.save_file(
            [new("weight", weight), new("labels", labels), new("mask", mask), new("pixels", pixels), new("pi", scalar)],
            path,
            new Dictionary<string, string> { ["epoch"] = "3", ["note"] = "ünïcode" });

        using JsonDocument read = JsonDocument.Parse(PythonScript.Run("safetensors_stdlib.py", "read", path));
        JsonElement root = read.RootElement;
        Assert.Equal("3", root.GetProperty("metadata").GetProperty("epoch").GetString());
        Assert.Equal("ünïcode", root.GetProperty("metadata").GetProperty("note").GetString());
        JsonElement tensors = root.GetProperty("tensors");
        Assert.Equal(weight.ToArray<float>(), Values(tensors, "weight", "F32").Select(v => (float)v.GetDouble()));
        Assert.Equal([3, 4], tensors.GetProperty("weight").GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal([7L, -1L, long.MaxValue], Values(tensors, "labels", "I64").Select(v => v.GetInt64()));
        Assert.Equal([false, true], Values(tensors, "mask", "BOOL").Select(v => v.GetBoolean()));
        Assert.Equal([1, 2, 3], Values(tensors, "pixels", "U8").Select(v => v.GetInt32()));
        Assert.Equal([Math.PI], Values(tensors, "pi", "F64").Select(v => v.GetDouble()));
        Assert.Empty(tensors.GetProperty("pi").GetProperty("shape").EnumerateArray());
        Assert.Equal(0, BinaryPrimitives.ReadInt64LittleEndian(File.ReadAllBytes(path).AsSpan(0, 8)) % 8);
    }

    [Fact]
    public void RoundTrip_KeepsOrderValuesAndAlignment()
    {
        string path = Path.Combine(_directory, "round.safetensors");
        torch.manual_seed(3);
        using Tensor a = torch.randn([17, 5]);
        using Tensor b = torch.randn([3], ScalarType.Float64);
        safetensors.save_file([new("z", a), new("a", b)], path);

        byte[] file = File.ReadAllBytes(path);
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(file);
        Assert.Equal(0, headerLength % 8);
        Dictionary<string, Tensor> loaded = safetensors.load_file(path);
        using Tensor la = loaded["z"];
        using Tensor lb = loaded["a"];
        Assert.Equal(["z", "a"], loaded.Keys);
        Assert.Equal(a.ToArray<float>(), la.ToArray<float>());
        Assert.Equal(b.ToArray<double>(), lb.ToArray<double>());
        Assert.Empty(safetensors.read_metadata(path));
    }

    [Theory]
    [InlineData("truncated", "runs past the end")]
    [InlineData("short", "shorter than the 8-byte header length")]
    [InlineData("size", "data_offsets span")]
    [InlineData("overlap", "overlaps tensor")]
    [InlineData("gap", "gap of 4 bytes")]
    [InlineData("trailing", "belong to no tensor")]
    [InlineData("beyond", "truncated file")]
    [InlineData("dtype", "has dtype F16")]
    [InlineData("json", "not valid JSON")]
    public void CorruptFiles_FailWithAMessageNamingTheProblem(string kind, string expected)
    {
        string path = Path.Combine(_directory, kind + ".safetensors");
        byte[] data = new byte[16];
        string header = kind switch
        {
            "size" => """{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}""",
            "overlap" => """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""",
            "gap" => """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""",
            "trailing" => """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""",
            "beyond" => """{"a":{"dtype":"F32","shape":[8],"data_offsets":[0,32]}}""",
            "dtype" => """{"a":{"dtype":"F16","shape":[8],"data_offsets":[0,16]}}""",
            "json" => """{"a":{"dtype":""",
            _ => """{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""",
        };
        byte[] headerBytes = Encoding.UTF8.GetBytes(header);
        using (var stream = File.Create(path))
        {
            if (kind == "short")
            {
                stream.Write([1, 2, 3]);
            }
            else
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerBytes.Length + (kind == "truncated" ? 100UL : 0));
                stream.Write(length);
                stream.Write(headerBytes);
                stream.Write(data);
            }
        }

        var error = Assert.Throws<InvalidDataException>(() => safetensors.load_file(path));
        Assert.Contains(expected, error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void DuplicateNames_AreRejectedBeforeAnythingIsWritten()
    {
        string path = Path.Combine(_directory, "dup.safetensors");
        using Tensor a = torch.zeros([1]);
        var error = Assert.Throws<ArgumentException>(() => safetensors.save_file([new("w", a), new("w", a)], path));
        Assert.Contains("'w' appears twice", error.Message);
        Assert.False(File.Exists(path));
    }

    private static IEnumerable<JsonElement> Values(JsonElement tensors, string name, string dtype)
    {
        JsonElement tensor = tensors.GetProperty(name);
        Assert.Equal(dtype, tensor.GetProperty("dtype").GetString());
        return tensor.GetProperty("values").EnumerateArray();
    }
}
