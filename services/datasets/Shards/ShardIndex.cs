using System.Buffers.Binary;
using Cauchy.Datasets.Domain;
using Cauchy.Domain;

namespace Cauchy.Datasets.Shards;

/// <summary>
/// The index object written next to each shard: magic "CAUCHYIX", format version (uint32 LE, 1), record count
/// (uint32 LE), then per record its offset in the shard (uint64 LE, where the record's length varint starts), the
/// length of its Sample bytes (uint32 LE) and the CRC-32 (IEEE) of those bytes (uint32 LE).
/// </summary>
public sealed class ShardIndex
{
    public const int HeaderBytes = 16;
    public const int EntryBytes = 16;
    private static ReadOnlySpan<byte> Magic => "CAUCHYIX"u8;

    private readonly List<ShardIndexEntry> _entries;

    public ShardIndex(List<ShardIndexEntry> entries) => _entries = entries;

    public IReadOnlyList<ShardIndexEntry> Entries => _entries;

    public byte[] Serialize()
    {
        var bytes = new byte[HeaderBytes + (EntryBytes * _entries.Count)];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), (uint)_entries.Count);
        for (var i = 0; i < _entries.Count; i++)
        {
            var span = bytes.AsSpan(HeaderBytes + (i * EntryBytes));
            BinaryPrimitives.WriteInt64LittleEndian(span, _entries[i].Offset);
            BinaryPrimitives.WriteInt32LittleEndian(span[8..], _entries[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(span[12..], _entries[i].Crc32);
        }
        return bytes;
    }

    public static ShardIndex Parse(ReadOnlySpan<byte> bytes, string key)
    {
        if (bytes.Length < HeaderBytes || !bytes[..8].SequenceEqual(Magic) || BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]) != 1)
        {
            throw DomainException.DataLoss($"shard index '{key}' is not a version 1 CAUCHYIX index");
        }
        var count = BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]);
        if (bytes.Length != HeaderBytes + ((long)count * EntryBytes))
        {
            throw DomainException.DataLoss($"shard index '{key}' is {bytes.Length} bytes, not the {HeaderBytes + ((long)count * EntryBytes)} its {count} records need");
        }
        var entries = new List<ShardIndexEntry>((int)count);
        for (var i = 0; i < count; i++)
        {
            var span = bytes[(HeaderBytes + (i * EntryBytes))..];
            entries.Add(new ShardIndexEntry(
                BinaryPrimitives.ReadInt64LittleEndian(span),
                BinaryPrimitives.ReadInt32LittleEndian(span[8..]),
                BinaryPrimitives.ReadUInt32LittleEndian(span[12..])));
        }
        return new ShardIndex(entries);
    }
}

/// <param name="Offset">Where the record (its length varint) starts in the shard.</param>
/// <param name="Length">Length of the Sample message bytes after the varint.</param>
/// <param name="Crc32">CRC-32 of the Sample message bytes.</param>
public readonly record struct ShardIndexEntry(long Offset, int Length, uint Crc32);
