using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Grpc.Core;

namespace Cauchy.Grpc.Internal;

/// <summary>
/// Wire-format rules of "gRPC over HTTP/2" that the server and the client transport share:
/// header names, message framing, timeouts, status-message encoding and metadata mapping.
/// </summary>
public static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string StatusDetailsHeader = "grpc-status-details-bin";
    public const string TeHeader = "te";
    public const string UserAgentHeader = "user-agent";

    /// <summary>A request header that asks a client transport to compress the call's messages (grpc-dotnet's convention); never sent.</summary>
    public const string InternalEncodingRequestHeader = "grpc-internal-encoding-request";

    public const string IdentityEncoding = "identity";
    public const string GzipEncoding = "gzip";

    /// <summary>The encodings this implementation accepts, in the form of grpc-accept-encoding.</summary>
    public const string SupportedEncodings = "identity,gzip";

    /// <summary>The length-prefixed message header: one compressed-flag byte and a 4-byte big-endian length.</summary>
    public const int FrameHeaderSize = 5;

    /// <summary>The default maximum size of a received message (4 MiB), as every gRPC implementation has it.</summary>
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        if (contentType.Length == ContentType.Length)
        {
            return true;
        }
        var next = contentType[ContentType.Length];
        return next is '+' or ';';
    }

    public static void WriteFrameHeader(Span<byte> destination, bool compressed, int length)
    {
        destination[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], checked((uint)length));
    }

    /// <summary>Reads a frame header; false when the compressed flag is neither 0 nor 1.</summary>
    public static bool TryReadFrameHeader(ReadOnlySpan<byte> source, out bool compressed, out uint length)
    {
        compressed = source[0] == 1;
        length = BinaryPrimitives.ReadUInt32BigEndian(source[1..]);
        return source[0] <= 1;
    }

    /// <summary>Parses a grpc-timeout value: up to 8 ASCII digits and a unit H, M, S, m, u or n.</summary>
    public static bool TryParseTimeout(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (string.IsNullOrEmpty(value) || value.Length < 2 || value.Length > 9)
        {
            return false;
        }
        var digits = value.AsSpan(0, value.Length - 1);
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        var amount = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        long? ticks = value[^1] switch
        {
            'H' => amount * TimeSpan.TicksPerHour,
            'M' => amount * TimeSpan.TicksPerMinute,
            'S' => amount * TimeSpan.TicksPerSecond,
            'm' => amount * TimeSpan.TicksPerMillisecond,
            'u' => amount * 10,
            'n' => amount / 100,
            _ => null,
        };
        if (ticks is null)
        {
            return false;
        }
        timeout = TimeSpan.FromTicks(ticks.Value);
        return true;
    }

    /// <summary>Formats a timeout for grpc-timeout in the finest unit that fits in 8 digits (never rounding down to zero).</summary>
    public static string FormatTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return "1n";
        }
        const long maxValue = 99_999_999;
        var ticks = timeout.Ticks;
        // Candidate units from finest to coarsest, as (ticks per unit, suffix); nanoseconds are 1/100 tick.
        if (ticks <= maxValue / 100)
        {
            return (ticks * 100).ToString(CultureInfo.InvariantCulture) + "n";
        }
        ReadOnlySpan<(long TicksPerUnit, char Unit)> units =
        [
            (10, 'u'),
            (TimeSpan.TicksPerMillisecond, 'm'),
            (TimeSpan.TicksPerSecond, 'S'),
            (TimeSpan.TicksPerMinute, 'M'),
            (TimeSpan.TicksPerHour, 'H'),
        ];
        foreach (var (perUnit, unit) in units)
        {
            var amount = (ticks + perUnit - 1) / perUnit;
            if (amount <= maxValue)
            {
                return amount.ToString(CultureInfo.InvariantCulture) + unit;
            }
        }
        return maxValue.ToString(CultureInfo.InvariantCulture) + "H";
    }

    /// <summary>Percent-encodes a status message: UTF-8, with bytes outside printable ASCII and '%' as %XX.</summary>
    public static string EncodeStatusMessage(string message)
    {
        var needsEncoding = false;
        foreach (var c in message)
        {
            if (c is < ' ' or > '~' or '%')
            {
                needsEncoding = true;
                break;
            }
        }
        if (!needsEncoding)
        {
            return message;
        }
        var bytes = Encoding.UTF8.GetBytes(message);
        var builder = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is < 0x20 or > 0x7E or (byte)'%')
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append((char)b);
            }
        }
        return builder.ToString();
    }

    /// <summary>Decodes a percent-encoded status message; a malformed escape is kept as it is, per the spec.</summary>
    public static string DecodeStatusMessage(string? value)
    {
        if (string.IsNullOrEmpty(value) || !value.Contains('%'))
        {
            return value ?? "";
        }
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '%' && i + 2 < value.Length &&
                byte.TryParse(value.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(value[i].ToString()));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>Parses grpc-status; an absent or malformed value is UNKNOWN, per the spec.</summary>
    public static StatusCode ParseStatusCode(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 0 and <= 16
            ? (StatusCode)code
            : StatusCode.Unknown;

    /// <summary>Headers that belong to the protocol, never to application metadata.</summary>
    public static bool IsReservedHeader(string name) =>
        name.Length == 0 || name[0] == ':' ||
        name.Equals("content-type", StringComparison.OrdinalIgnoreCase) ||
        name.Equals(TeHeader, StringComparison.OrdinalIgnoreCase) ||
        name.Equals("host", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("content-length", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("connection", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase) ||
        name.Equals(StatusHeader, StringComparison.OrdinalIgnoreCase) ||
        name.Equals(MessageHeader, StringComparison.OrdinalIgnoreCase) ||
        name.Equals(TimeoutHeader, StringComparison.OrdinalIgnoreCase) ||
        name.Equals(EncodingHeader, StringComparison.OrdinalIgnoreCase) ||
        name.Equals(AcceptEncodingHeader, StringComparison.OrdinalIgnoreCase) ||
        name.Equals(InternalEncodingRequestHeader, StringComparison.OrdinalIgnoreCase);

    /// <summary>The header value for a metadata entry: base64 without padding for binary entries.</summary>
    public static string ToHeaderValue(Metadata.Entry entry) =>
        entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes).TrimEnd('=') : entry.Value;

    /// <summary>
    /// Adds one received header to <paramref name="metadata"/>, skipping protocol headers. Binary values may
    /// arrive padded or unpadded and, when an HTTP stack joined repeated headers, comma-separated.
    /// </summary>
    public static void AddHeader(Metadata metadata, string name, IEnumerable<string> values)
    {
        if (IsReservedHeader(name))
        {
            return;
        }
        var key = name.ToLowerInvariant();
        var binary = key.EndsWith(Metadata.BinaryHeaderSuffix, StringComparison.Ordinal) && key.Length > Metadata.BinaryHeaderSuffix.Length;
        foreach (var value in values)
        {
            if (binary)
            {
                foreach (var part in value.Split(',', StringSplitOptions.TrimEntries))
                {
                    metadata.Add(key, DecodeBase64Lenient(part));
                }
            }
            else
            {
                metadata.Add(new Metadata.Entry(key, SanitizeAscii(value)));
            }
        }
    }

    public static byte[] DecodeBase64Lenient(string value)
    {
        var trimmed = value.TrimEnd('=');
        var padded = (trimmed.Length % 4) switch
        {
            2 => trimmed + "==",
            3 => trimmed + "=",
            _ => trimmed,
        };
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            // Some peers use the URL-safe alphabet.
            return Convert.FromBase64String(padded.Replace('-', '+').Replace('_', '/'));
        }
    }

    private static string SanitizeAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return new string(value.Select(ch => ch is < ' ' or > '~' ? '?' : ch).ToArray());
            }
        }
        return value;
    }
}
