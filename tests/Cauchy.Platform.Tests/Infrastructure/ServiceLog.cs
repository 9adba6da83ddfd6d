using System.Text;
using System.Text.RegularExpressions;

namespace Cauchy.Platform.Tests.Infrastructure;

/// <summary>Reads a service's log while the service writes it, and finds unhandled-exception stack traces in it.</summary>
public static partial class ServiceLog
{
    public static IReadOnlyList<string> ReadAllLines(string path) => ReadFrom(path, 0).Split('\n');

    public static long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    /// <summary>What was appended to the log since <paramref name="offset"/>.</summary>
    public static string ReadFrom(string path, long offset)
    {
        if (!File.Exists(path))
        {
            return string.Empty;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The lines that show an exception escaping to the host: "Unhandled exception" messages and .NET stack frames
    /// ("   at Namespace.Type.Method(...)"). Empty when the text has none.
    /// </summary>
    public static IReadOnlyList<string> ExceptionTraceLines(string text) =>
        text.Split('\n').Where(line => UnhandledPattern().IsMatch(line) || StackFramePattern().IsMatch(line)).ToList();

    [GeneratedRegex(@"unhandled exception", RegexOptions.IgnoreCase)]
    private static partial Regex UnhandledPattern();

    [GeneratedRegex(@"^\s+at \S+\(.*\)")]
    private static partial Regex StackFramePattern();
}
