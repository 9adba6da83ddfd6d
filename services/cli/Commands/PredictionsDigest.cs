using System.Security.Cryptography;
using System.Text;

namespace Cauchy.Cli.Commands;

/// <summary>
/// The SHA-256 an evaluation records of its predictions: of the file's bytes for a file; for a folder, of the
/// <c>sha256sum</c>-style listing of its files ("&lt;sha256 of the file&gt;  &lt;path relative to the folder&gt;\n", paths
/// with '/', sorted ordinally), so that the same files give the same digest wherever the folder lies.
/// </summary>
public static class PredictionsDigest
{
    public static string Of(string path)
    {
        if (File.Exists(path))
        {
            using var stream = File.OpenRead(path);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        var listing = new StringBuilder();
        foreach (var file in Directory.GetFiles(path, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(path, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal))
        {
            using var stream = File.OpenRead(Path.Combine(path, file));
            listing.Append(Convert.ToHexStringLower(SHA256.HashData(stream))).Append("  ").Append(file).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString())));
    }
}
