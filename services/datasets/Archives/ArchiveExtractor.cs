using System.Formats.Tar;
using System.IO.Compression;
using Cauchy.Datasets.Domain;
using Cauchy.Datasets.Images;
using Cauchy.Domain;
using Cauchy.V1;

namespace Cauchy.Datasets.Archives;

/// <summary>
/// Extracts an uploaded archive (tar, tar.gz, zip) into an empty folder, refusing anything that could write outside
/// it or exhaust the disk: absolute paths, "..", links of any kind, device files, duplicate names, and archives
/// whose extracted bytes exceed <see cref="ArchiveLimits"/>. Sizes are counted on the bytes actually written, never
/// taken from headers, so a zip bomb is stopped while it expands. Every refusal is an INVALID_ARGUMENT naming the
/// entry; the caller deletes the folder, so nothing of a refused archive survives.
/// </summary>
public sealed class ArchiveExtractor(ArchiveLimits limits)
{
    private const int CopyBufferBytes = 1 << 16;

    /// <summary>Extracts <paramref name="archivePath"/> into <paramref name="destination"/> (created if missing).</summary>
    /// <returns>The relative paths of the extracted files, '/'-separated, in archive order.</returns>
    public async Task<IReadOnlyList<string>> ExtractAsync(
        string archivePath, ArchiveKind kind, string destination, CancellationToken cancellationToken)
    {
        var archiveBytes = new FileInfo(archivePath).Length;
        if (archiveBytes > limits.MaxArchiveBytes)
        {
            throw DomainException.InvalidArgument(
                $"archive is {archiveBytes} bytes, over the limit of {limits.MaxArchiveBytes} bytes (Datasets:Archive:MaxArchiveBytes)");
        }

        Directory.CreateDirectory(destination);
        var state = new ExtractionState(Path.GetFullPath(destination), Math.Max(1, archiveBytes), limits);
        try
        {
            switch (kind)
            {
                case ArchiveKind.Tar:
                    await using (var file = OpenRead(archivePath))
                    {
                        await ExtractTarAsync(file, state, cancellationToken);
                    }
                    break;
                case ArchiveKind.TarGzip:
                    await using (var file = OpenRead(archivePath))
                    await using (var gzip = new GZipStream(file, CompressionMode.Decompress))
                    {
                        await ExtractTarAsync(gzip, state, cancellationToken);
                        await EnsureGzipEndedAsync(gzip, cancellationToken);
                    }
                    break;
                case ArchiveKind.Zip:
                    await ExtractZipAsync(archivePath, state, cancellationToken);
                    break;
                default:
                    throw DomainException.InvalidArgument("header.archive_kind must be TAR, TAR_GZIP or ZIP");
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw DomainException.InvalidArgument(
                $"archive is truncated or corrupt{(state.CurrentEntry is null ? "" : $" at entry '{state.CurrentEntry}'")}: {e.Message}");
        }

        return state.Files;
    }

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBufferBytes, FileOptions.SequentialScan | FileOptions.Asynchronous);

    private static async Task ExtractTarAsync(Stream source, ExtractionState state, CancellationToken cancellationToken)
    {
        await using var reader = new TarReader(source, leaveOpen: true);
        var sawEnd = false;
        while (true)
        {
            TarEntry? entry;
            try
            {
                entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken);
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException)
            {
                throw new InvalidDataException($"tar header after '{state.CurrentEntry ?? "the start"}' cannot be read ({e.Message})", e);
            }
            if (entry is null)
            {
                sawEnd = true;
                break;
            }

            state.BeginEntry(entry.Name);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    state.AddDirectory(entry.Name);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    if (entry.DataStream is null)
                    {
                        state.AddEmptyFile(entry.Name);
                        break;
                    }
                    await state.AddFileAsync(entry.Name, entry.DataStream, expectedLength: entry.Length, expectedCrc: null, cancellationToken);
                    break;
                case TarEntryType.SymbolicLink or TarEntryType.HardLink:
                    throw DomainException.InvalidArgument(
                        $"archive entry '{entry.Name}' is a {(entry.EntryType == TarEntryType.SymbolicLink ? "symbolic" : "hard")} link to '{entry.LinkName}'; links are not accepted");
                default:
                    throw DomainException.InvalidArgument(
                        $"archive entry '{entry.Name}' is a {entry.EntryType} entry; only files and folders are accepted");
            }
        }

        if (!sawEnd)
        {
            throw new InvalidDataException("tar archive ended early");
        }
    }

    private static async Task EnsureGzipEndedAsync(GZipStream gzip, CancellationToken cancellationToken)
    {
        // The tar reader stops at the end-of-archive blocks; whatever the gzip stream still holds must decompress
        // cleanly to its end, or the compressed file was cut short.
        var buffer = new byte[CopyBufferBytes];
        while (await gzip.ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }

    private static async Task ExtractZipAsync(string archivePath, ExtractionState state, CancellationToken cancellationToken)
    {
        await using var file = OpenRead(archivePath);
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"zip central directory cannot be read ({e.Message})", e);
        }

        using (archive)
        {
            foreach (var entry in archive.Entries)
            {
                state.BeginEntry(entry.FullName);
                // Unix zip tools keep the file mode in the high 16 bits of the external attributes; 0xA000 is a link.
                var unixMode = (entry.ExternalAttributes >> 16) & 0xF000;
                if (unixMode == 0xA000)
                {
                    throw DomainException.InvalidArgument($"archive entry '{entry.FullName}' is a symbolic link; links are not accepted");
                }
                if (unixMode is not 0 and not 0x8000 and not 0x4000)
                {
                    throw DomainException.InvalidArgument($"archive entry '{entry.FullName}' is a special file; only files and folders are accepted");
                }
                if (entry.FullName.EndsWith('/') || unixMode == 0x4000)
                {
                    state.AddDirectory(entry.FullName);
                    continue;
                }

                await using var data = await entry.OpenAsync(cancellationToken);
                // entry.Length comes from a header the archive's author controls: the copy counts real bytes. The reader
                // does not check the entry's CRC-32 (a stored entry is copied as is), so the copy does.
                await state.AddFileAsync(entry.FullName, data, expectedLength: null, expectedCrc: entry.Crc32, cancellationToken);
            }
        }
    }

    /// <summary>What has been extracted so far, and the checks every entry goes through.</summary>
    private sealed class ExtractionState(string root, long archiveBytes, ArchiveLimits limits)
    {
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);
        private readonly List<string> _files = [];
        private long _extractedBytes;
        private int _entries;

        public string? CurrentEntry { get; private set; }

        public IReadOnlyList<string> Files => _files;

        public void BeginEntry(string name)
        {
            CurrentEntry = name;
            if (++_entries > limits.MaxEntries)
            {
                throw DomainException.InvalidArgument(
                    $"archive has more than {limits.MaxEntries} entries (Datasets:Archive:MaxEntries); stopped at '{name}'");
            }
        }

        public void AddDirectory(string name)
        {
            var relative = SafeRelativePath(name);
            if (relative.Length > 0)
            {
                Directory.CreateDirectory(FullPath(name, relative));
            }
        }

        public void AddEmptyFile(string name)
        {
            var path = PrepareFile(name, out _);
            File.Create(path).Dispose();
        }

        public async Task AddFileAsync(string name, Stream data, long? expectedLength, uint? expectedCrc, CancellationToken cancellationToken)
        {
            var path = PrepareFile(name, out var relative);
            var buffer = new byte[CopyBufferBytes];
            long written = 0;
            uint crc = 0;
            await using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferBytes, FileOptions.Asynchronous))
            {
                int read;
                while ((read = await data.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    written += read;
                    _extractedBytes += read;
                    CheckSizes(name, written);
                    if (expectedCrc is not null)
                    {
                        crc = Crc32.Append(crc, buffer.AsSpan(0, read));
                    }
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }
            if (expectedLength is { } expected && written != expected)
            {
                throw new InvalidDataException($"entry '{name}' holds {written} of its {expected} bytes");
            }
            if (expectedCrc is { } expectedValue && crc != expectedValue)
            {
                throw new InvalidDataException($"entry '{name}' fails its CRC-32 check (0x{crc:x8}, expected 0x{expectedValue:x8})");
            }
            _files.Add(relative);
        }

        private void CheckSizes(string name, long entryBytes)
        {
            if (entryBytes > limits.MaxEntryBytes)
            {
                throw DomainException.InvalidArgument(
                    $"archive entry '{name}' expands past {limits.MaxEntryBytes} bytes (Datasets:Archive:MaxEntryBytes)");
            }
            if (_extractedBytes > limits.MaxExtractedBytes)
            {
                throw DomainException.InvalidArgument(
                    $"archive expands past {limits.MaxExtractedBytes} bytes in total (Datasets:Archive:MaxExtractedBytes), at entry '{name}'");
            }
            if (_extractedBytes > limits.RatioCheckAfterBytes && _extractedBytes > limits.MaxExpansionRatio * archiveBytes)
            {
                throw DomainException.InvalidArgument(
                    $"archive expands more than {limits.MaxExpansionRatio}x its {archiveBytes} bytes (Datasets:Archive:MaxExpansionRatio), at entry '{name}': a zip bomb?");
            }
        }

        private string PrepareFile(string name, out string relative)
        {
            relative = SafeRelativePath(name);
            if (relative.Length == 0)
            {
                throw DomainException.InvalidArgument($"archive entry '{name}' has an empty file name");
            }
            if (!_names.Add(relative))
            {
                throw DomainException.InvalidArgument($"archive entry '{name}' appears twice");
            }
            var path = FullPath(name, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            return path;
        }

        private string FullPath(string name, string relative)
        {
            var full = Path.GetFullPath(Path.Combine(root, relative));
            if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw DomainException.InvalidArgument($"archive entry '{name}' points outside the archive");
            }
            return full;
        }

        /// <summary>The entry's path relative to the archive root, or an INVALID_ARGUMENT for an unsafe one.</summary>
        private static string SafeRelativePath(string name)
        {
            if (name.Length == 0 || name.Contains('\0') || name.Contains('\\'))
            {
                throw DomainException.InvalidArgument($"archive entry '{name}' has an invalid path (empty, NUL or backslash)");
            }
            if (name.StartsWith('/') || (name.Length >= 2 && name[1] == ':'))
            {
                throw DomainException.InvalidArgument($"archive entry '{name}' has an absolute path");
            }
            var segments = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToList();
            if (segments.Any(s => s == ".."))
            {
                throw DomainException.InvalidArgument($"archive entry '{name}' has a '..' segment (path traversal)");
            }
            return string.Join('/', segments);
        }
    }
}
