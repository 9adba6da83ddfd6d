using Google.Protobuf;

namespace Cauchy.Grpc.Tests.Interop.Infrastructure;

/// <summary>Payloads and messages both implementations agree on.</summary>
internal static class TestData
{
    /// <summary>The default maximum message size every gRPC implementation starts with (4 MiB).</summary>
    public const int DefaultMessageLimit = 4 * 1024 * 1024;

    public const string UnicodeStatusMessage = "café ✓ 失败";

    /// <summary>'%' must be escaped, CR/LF cannot travel raw in a header, "%41" must not be decoded twice.</summary>
    public const string PercentStatusMessage = "100% done\r\nnext line\n%41 %zz %";

    /// <summary>
    /// Deterministic bytes that do not repeat in any short period, so a shifted, truncated or
    /// reordered payload is detected. Byte-for-byte the same as patternBytes() in tests/interop-node/common.js.
    /// </summary>
    public static byte[] Pattern(int length, int seed = 0)
    {
        var bytes = new byte[length];
        var x = unchecked((uint)((ulong)seed * 2654435761UL + 12345UL));
        for (var i = 0; i < bytes.Length; i++)
        {
            x = unchecked((x * 1103515245u) + 12345u);
            bytes[i] = (byte)(x >> 24);
        }
        return bytes;
    }

    public static ByteString PatternString(int length, int seed = 0) => ByteString.CopyFrom(Pattern(length, seed));

    /// <summary>Every byte value once: exercises base64 of arbitrary binary metadata.</summary>
    public static byte[] AllByteValues()
    {
        var bytes = new byte[256];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)i;
        }
        return bytes;
    }
}
