using System.Text.Json;

namespace Cauchy.Registry.Domain;

/// <summary>
/// Checks that weights are a safetensors file: an 8-byte little-endian header length N, N bytes of JSON mapping tensor
/// names to {dtype, shape, data_offsets} (plus an optional "__metadata__" of strings), then the tensor data, which the
/// offsets must cover exactly, without gaps or overlaps, each tensor's byte length matching its dtype and shape.
/// </summary>
public static class SafetensorsHeader
{
    /// <summary>The largest header accepted (safetensors' own reader allows 100 MB; real headers are kilobytes).</summary>
    public const int MaxHeaderBytes = 16 * 1024 * 1024;

    private static readonly Dictionary<string, int> DtypeBytes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1,
        ["U8"] = 1,
        ["I8"] = 1,
        ["F8_E5M2"] = 1,
        ["F8_E4M3"] = 1,
        ["I16"] = 2,
        ["U16"] = 2,
        ["F16"] = 2,
        ["BF16"] = 2,
        ["I32"] = 4,
        ["U32"] = 4,
        ["F32"] = 4,
        ["I64"] = 8,
        ["U64"] = 8,
        ["F64"] = 8,
    };

    /// <summary>The header length the first 8 bytes announce, checked against the file's size; null with a reason if impossible.</summary>
    public static string? CheckLength(ulong headerLength, long fileSize)
    {
        if (headerLength < 2 || headerLength > MaxHeaderBytes)
        {
            return $"its header length is {headerLength} bytes; a safetensors header has 2 to {MaxHeaderBytes} bytes";
        }
        if ((long)headerLength > fileSize - 8)
        {
            return $"its header length of {headerLength} bytes does not fit in its {fileSize} bytes";
        }
        return null;
    }

    /// <summary>Null if <paramref name="json"/> is a valid header for <paramref name="dataBytes"/> bytes of tensor data, else the reason.</summary>
    public static string? Check(ReadOnlySpan<byte> json, long dataBytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            return $"its header is not JSON ({e.Message})";
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return "its header is not a JSON object";
            }
            var spans = new List<(long Begin, long End, string Name)>();
            foreach (var tensor in document.RootElement.EnumerateObject())
            {
                if (tensor.Name == "__metadata__")
                {
                    continue;
                }
                var problem = CheckTensor(tensor, out var begin, out var end);
                if (problem is not null)
                {
                    return $"tensor '{tensor.Name}' {problem}";
                }
                spans.Add((begin, end, tensor.Name));
            }
            long expected = 0;
            foreach (var (begin, end, name) in spans.OrderBy(s => s.Begin).ThenBy(s => s.End))
            {
                if (begin != expected)
                {
                    return $"tensor '{name}' starts at data offset {begin}, but the previous data ends at {expected} (gap or overlap)";
                }
                expected = end;
            }
            if (expected != dataBytes)
            {
                return $"its tensors cover {expected} bytes of data, but {dataBytes} bytes follow the header";
            }
            return null;
        }
    }

    private static string? CheckTensor(JsonProperty tensor, out long begin, out long end)
    {
        begin = end = 0;
        var value = tensor.Value;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
        {
            return "needs dtype, shape and data_offsets [begin, end]";
        }
        if (!DtypeBytes.TryGetValue(dtype.GetString()!, out var size))
        {
            return $"has unknown dtype '{dtype.GetString()}'";
        }
        long elements = 1;
        foreach (var dimension in shape.EnumerateArray())
        {
            if (!dimension.TryGetInt64(out var d) || d < 0)
            {
                return "has a shape dimension that is not a non-negative integer";
            }
            elements = checked(elements * d);
        }
        if (!offsets[0].TryGetInt64(out begin) || !offsets[1].TryGetInt64(out end) || begin < 0 || end < begin)
        {
            return "has data_offsets that are not 0 <= begin <= end";
        }
        if (end - begin != elements * size)
        {
            return $"has {end - begin} bytes of data, but {dtype.GetString()} {shape} needs {elements * size}";
        }
        return null;
    }
}
