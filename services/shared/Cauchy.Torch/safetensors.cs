// Lower-case like the Python package: `safetensors.save_file(...)`, `safetensors.load_file(...)`.
#pragma warning disable CS8981

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Cauchy.Torch;

/// <summary>
/// The safetensors format (what Python's <c>safetensors</c> and Hugging Face use): an 8-byte little-endian header
/// length, a JSON header mapping each name to <c>{dtype, shape, data_offsets}</c> plus an optional
/// <c>__metadata__</c> string map, padded with spaces to a multiple of 8 bytes, then the tensors' raw
/// little-endian bytes, back to back. Supported dtypes: F32, F64, I64, U8, BOOL.
/// </summary>
public static class safetensors
{
    private const string MetadataKey = "__metadata__";

    // The reference implementation's limit: a larger header is a corrupt or hostile file.
    private const long MaxHeaderBytes = 100_000_000;
    private const int Alignment = 8;

    /// <summary>Writes the tensors, in the given order, to <paramref name="path"/> (replaced atomically via a temporary file).</summary>
    public static void save_file(IEnumerable<KeyValuePair<string, Tensor>> tensors, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string temporary = path + ".tmp-" + Environment.ProcessId + "-" + Environment.CurrentManagedThreadId;
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                save(tensors, stream, metadata);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Streams the file to <paramref name="stream"/>: the header is built from shapes alone, then each tensor is copied
    /// from libtorch and written one at a time, so memory holds at most one tensor's bytes besides the tensors themselves.
    /// </summary>
    public static unsafe void save(IEnumerable<KeyValuePair<string, Tensor>> tensors, Stream stream, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(stream);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors data is little-endian; this machine is not");
        }

        var entries = new List<(string Name, Tensor Tensor, long Bytes)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach ((string key, string value) in metadata)
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach ((string name, Tensor tensor) in tensors)
            {
                if (string.IsNullOrEmpty(name) || name == MetadataKey)
                {
                    throw new ArgumentException($"'{name}' cannot name a tensor in a safetensors file", nameof(tensors));
                }

                if (!names.Add(name))
                {
                    throw new ArgumentException($"tensor name '{name}' appears twice", nameof(tensors));
                }

                ArgumentNullException.ThrowIfNull(tensor, name);
                ScalarType type = tensor.dtype;
                string dtype = DtypeName(type) ?? throw new ArgumentException($"tensor '{name}' has dtype {type}, which safetensors support here does not cover", nameof(tensors));
                long[] shape = tensor.shape;
                long bytes = tensor.numel() * ElementSize(type);
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (long dim in shape)
                {
                    json.WriteNumberValue(dim);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                entries.Add((name, tensor, bytes));
                offset += bytes;
            }

            json.WriteEndObject();
        }

        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        long padded = (header.Length + Alignment - 1) / Alignment * Alignment;
        while (header.Length < padded)
        {
            header.WriteByte((byte)' ');
        }

        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        header.Position = 0;
        header.CopyTo(stream);

        foreach ((string name, Tensor tensor, long bytes) in entries)
        {
            if (bytes == 0)
            {
                continue;
            }

            void* buffer = NativeMemory.AlignedAlloc((nuint)bytes, 64);
            try
            {
                NativeMethods.Check(NativeMethods.cauchy_tensor_copy_to_host(tensor.Handle, buffer, bytes));
                for (long written = 0; written < bytes;)
                {
                    int chunk = (int)Math.Min(bytes - written, 1 << 30);
                    stream.Write(new ReadOnlySpan<byte>((byte*)buffer + written, chunk));
                    written += chunk;
                }
            }
            finally
            {
                NativeMemory.AlignedFree(buffer);
            }
        }
    }

    /// <summary>Loads every tensor of the file, in file order (CPU tensors). Errors name the file and the offending tensor.</summary>
    public static Dictionary<string, Tensor> load_file(string path) => load_file(path, out _);

    /// <summary>Loads every tensor and returns the header's <c>__metadata__</c> map (empty when absent).</summary>
    public static Dictionary<string, Tensor> load_file(string path, out Dictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        Header header = ReadHeader(file, path);
        metadata = header.Metadata;
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (TensorInfo info in header.Tensors)
            {
                result[info.Name] = ReadTensor(file, header.DataStart, info, path);
            }
        }
        catch
        {
            foreach (Tensor tensor in result.Values)
            {
                tensor.Dispose();
            }

            throw;
        }

        return result;
    }

    /// <summary>Reads only the header's <c>__metadata__</c> map, validating the whole header.</summary>
    public static Dictionary<string, string> read_metadata(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        return ReadHeader(file, path).Metadata;
    }

    private static unsafe Tensor ReadTensor(FileStream file, long dataStart, TensorInfo info, string path)
    {
        long bytes = info.End - info.Begin;
        void* buffer = NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), 64);
        try
        {
            for (long read = 0; read < bytes;)
            {
                int chunk = (int)Math.Min(bytes - read, 1 << 30);
                int n = RandomAccess.Read(file.SafeFileHandle, new Span<byte>((byte*)buffer + read, chunk), dataStart + info.Begin + read);
                if (n == 0)
                {
                    throw new InvalidDataException($"{path}: the file ends inside tensor '{info.Name}'");
                }

                read += n;
            }
        }
        catch
        {
            NativeMemory.AlignedFree(buffer);
            throw;
        }

        // Zero-copy: the tensor takes the buffer over and frees it when libtorch releases the storage.
        return torch.from_native_memory((nint)buffer, bytes, info.Shape, info.Type, static p => NativeMemory.AlignedFree((void*)p));
    }

    private static Header ReadHeader(FileStream file, string path)
    {
        long fileLength = file.Length;
        if (fileLength < 8)
        {
            throw new InvalidDataException($"{path}: not a safetensors file: {fileLength} bytes, shorter than the 8-byte header length");
        }

        Span<byte> prefix = stackalloc byte[8];
        file.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
        {
            throw new InvalidDataException($"{path}: header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit (corrupt file?)");
        }

        if ((long)headerLength > fileLength - 8)
        {
            throw new InvalidDataException($"{path}: header length {headerLength} runs past the end of the {fileLength}-byte file (truncated?)");
        }

        byte[] headerBytes = new byte[headerLength];
        file.ReadExactly(headerBytes);
        if (headerBytes.Length == 0 || headerBytes[0] != (byte)'{')
        {
            throw new InvalidDataException($"{path}: the header is not a JSON object");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the header is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path}: the header is not a JSON object");
            }

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var tensors = new List<TensorInfo>();
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                    {
                        throw new InvalidDataException($"{path}: __metadata__ must be an object of strings");
                    }

                    foreach (JsonProperty entry in property.Value.EnumerateObject())
                    {
                        metadata[entry.Name] = entry.Value.ValueKind == JsonValueKind.String
                            ? entry.Value.GetString()!
                            : throw new InvalidDataException($"{path}: __metadata__ entry '{entry.Name}' is not a string");
                    }

                    continue;
                }

                tensors.Add(ParseInfo(property, path));
            }

            long dataLength = fileLength - 8 - (long)headerLength;
            Validate(tensors, dataLength, path);
            return new Header(metadata, tensors, 8 + (long)headerLength);
        }
    }

    private static TensorInfo ParseInfo(JsonProperty property, string path)
    {
        string name = property.Name;
        JsonElement value = property.Value;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out JsonElement dtype) || dtype.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out JsonElement shape) || shape.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{path}: tensor '{name}' needs dtype (string), shape (array) and data_offsets (array)");
        }

        string dtypeName = dtype.GetString()!;
        ScalarType type = ParseDtype(dtypeName)
            ?? throw new InvalidDataException($"{path}: tensor '{name}' has dtype {dtypeName}; supported are F32, F64, I64, U8 and BOOL");
        long[] dims = shape.EnumerateArray().Select(d => d.TryGetInt64(out long v) && v >= 0
            ? v
            : throw new InvalidDataException($"{path}: tensor '{name}' has an invalid shape entry {d.GetRawText()}")).ToArray();
        if (offsets.GetArrayLength() != 2
            || !offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
        {
            throw new InvalidDataException($"{path}: tensor '{name}' has invalid data_offsets {offsets.GetRawText()}");
        }

        long numel = 1;
        foreach (long dim in dims)
        {
            numel = checked(numel * dim);
        }

        long expected = checked(numel * ElementSize(type));
        if (expected != end - begin)
        {
            throw new InvalidDataException(
                $"{path}: tensor '{name}' is {dtypeName} of shape [{string.Join(", ", dims)}] ({expected} bytes) but its data_offsets span {end - begin} bytes");
        }

        return new TensorInfo(name, type, dims, begin, end);
    }

    // The reference reader's rule: the tensors tile the data section exactly — no gap, no overlap, nothing left over.
    private static void Validate(List<TensorInfo> tensors, long dataLength, string path)
    {
        long position = 0;
        string? previous = null;
        foreach (TensorInfo info in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (info.Begin < position)
            {
                throw new InvalidDataException($"{path}: tensor '{info.Name}' overlaps tensor '{previous}' (data_offsets start at {info.Begin}, before {position})");
            }

            if (info.Begin > position)
            {
                throw new InvalidDataException($"{path}: there is a gap of {info.Begin - position} bytes before tensor '{info.Name}'");
            }

            position = info.End;
            previous = info.Name;
        }

        if (position > dataLength)
        {
            throw new InvalidDataException($"{path}: tensor '{previous}' ends at byte {position} of the data section, which has only {dataLength} bytes (truncated file?)");
        }

        if (position < dataLength)
        {
            throw new InvalidDataException($"{path}: {dataLength - position} bytes after the last tensor belong to no tensor");
        }
    }

    private static string? DtypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float64 => "F64",
        ScalarType.Int64 => "I64",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => null,
    };

    private static ScalarType? ParseDtype(string name) => name switch
    {
        "F32" => ScalarType.Float32,
        "F64" => ScalarType.Float64,
        "I64" => ScalarType.Int64,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => null,
    };

    private static long ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float32 => 4,
        ScalarType.Float64 or ScalarType.Int64 => 8,
        _ => 1,
    };

    private sealed record TensorInfo(string Name, ScalarType Type, long[] Shape, long Begin, long End);

    private sealed record Header(Dictionary<string, string> Metadata, List<TensorInfo> Tensors, long DataStart);
}
