using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Cauchy.EndToEnd.Tests;

/// <summary>
/// A safetensors file read with the standard library: an 8-byte little-endian header length, a JSON header (each
/// tensor's dtype, shape and data offsets, plus "__metadata__"), then the raw tensor bytes.
/// </summary>
public sealed record Safetensors(IReadOnlyDictionary<string, Safetensors.Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata)
{
    public static Safetensors Parse(byte[] file)
    {
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(file);
        if (headerLength <= 0 || 8 + headerLength > file.Length)
        {
            throw new InvalidDataException($"not a safetensors file: header length {headerLength} in {file.Length} bytes");
        }

        int dataStart = 8 + (int)headerLength;
        using JsonDocument header = JsonDocument.Parse(Encoding.UTF8.GetString(file, 8, (int)headerLength));
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
            {
                foreach (JsonProperty m in entry.Value.EnumerateObject())
                {
                    metadata[m.Name] = m.Value.GetString() ?? "";
                }

                continue;
            }

            long[] offsets = [.. entry.Value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64())];
            long[] shape = [.. entry.Value.GetProperty("shape").EnumerateArray().Select(o => o.GetInt64())];
            tensors[entry.Name] = new Tensor(
                entry.Value.GetProperty("dtype").GetString() ?? "",
                shape,
                file.AsMemory(dataStart + (int)offsets[0], (int)(offsets[1] - offsets[0])));
        }

        return new Safetensors(tensors, metadata);
    }

    public sealed record Tensor(string DType, long[] Shape, ReadOnlyMemory<byte> Data)
    {
        /// <summary>The values of an F32 tensor.</summary>
        public float[] Floats() => DType == "F32"
            ? [.. Enumerable.Range(0, Data.Length / 4).Select(i => BinaryPrimitives.ReadSingleLittleEndian(Data.Span[(i * 4)..]))]
            : throw new InvalidOperationException($"a {DType} tensor, not F32");
    }
}
