using System.Formats.Tar;
using System.IO.Compression;
using Cauchy.V1;

namespace Cauchy.Datasets.Tests.Support;

/// <summary>Builds tar, tar.gz and zip archives in memory from (path, bytes) entries, plus the malicious kinds the safety tests need.</summary>
public sealed class ArchiveBuilder
{
    private readonly List<(string Path, byte[]? Data, TarEntryType Type, string? LinkTarget)> _entries = [];
    private readonly HashSet<string> _storedUncompressed = [];

    /// <summary>Adds an entry that a zip keeps uncompressed (method "stored"), so a test can find and change its bytes.</summary>
    public ArchiveBuilder AddUncompressed(string path, byte[] data)
    {
        _storedUncompressed.Add(path);
        return Add(path, data);
    }

    public ArchiveBuilder Add(string path, byte[] data)
    {
        _entries.Add((path, data, TarEntryType.RegularFile, null));
        return this;
    }

    public ArchiveBuilder AddText(string path, string text) => Add(path, System.Text.Encoding.UTF8.GetBytes(text));

    public ArchiveBuilder AddLink(string path, string target, bool hard = false)
    {
        _entries.Add((path, null, hard ? TarEntryType.HardLink : TarEntryType.SymbolicLink, target));
        return this;
    }

    public byte[] Build(ArchiveKind kind) => kind switch
    {
        ArchiveKind.Tar => Tar(),
        ArchiveKind.TarGzip => Gzip(Tar()),
        ArchiveKind.Zip => Zip(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public byte[] Tar()
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (path, data, type, link) in _entries)
            {
                var entry = new PaxTarEntry(type, path);
                if (link is not null)
                {
                    entry.LinkName = link;
                }
                if (data is not null)
                {
                    entry.DataStream = new MemoryStream(data);
                }
                writer.WriteEntry(entry);
            }
        }
        return output.ToArray();
    }

    public byte[] Zip()
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, data, type, link) in _entries)
            {
                var entry = zip.CreateEntry(path, _storedUncompressed.Contains(path) ? CompressionLevel.NoCompression : CompressionLevel.Fastest);
                if (type == TarEntryType.SymbolicLink)
                {
                    // Unix mode S_IFLNK | 0777 in the high 16 bits, as Info-ZIP stores a symlink; the data is the target.
                    entry.ExternalAttributes = unchecked((int)(0xA1FFu << 16));
                }
                using var stream = entry.Open();
                stream.Write(data ?? System.Text.Encoding.UTF8.GetBytes(link ?? ""));
            }
        }
        return output.ToArray();
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }
}
