namespace Cauchy.Storage.Tests.Support;

/// <summary>Deterministic pseudo-random contents, so a failing comparison can be reproduced.</summary>
public static class TestData
{
    public const int MiB = 1024 * 1024;

    public static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
