namespace Cauchy.Datasets.Shards;

/// <summary>Protobuf's base-128 varint, for the length prefixes of shard records and of encoded ReadShard batches.</summary>
internal static class Varint
{
    /// <summary>Writes <paramref name="value"/> at the start of <paramref name="into"/>; returns the bytes written (1–5).</summary>
    public static int Write(Span<byte> into, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            into[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        into[i++] = (byte)value;
        return i;
    }
}
