using System.Security.Cryptography;
using System.Text;
using Cauchy.Datasets.Archives;
using Cauchy.Datasets.Data;
using Cauchy.Datasets.Domain;
using Cauchy.Datasets.Formats;
using Cauchy.Datasets.Images;
using Cauchy.Datasets.Shards;
using Cauchy.Domain;
using Cauchy.Storage;
using Cauchy.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace Cauchy.Datasets.Import;

/// <summary>
/// Turns an archive into a dataset version: spool it to a local file, extract it safely, read it in its format,
/// validate every sample (writing the accepted ones to a local spool file, one at a time), assign splits, write the
/// shards to the object store under a fresh prefix, and commit the version to the datasetStore. Nothing becomes visible
/// before the commit; a failure deletes what was written, and a crash leaves a prefix the dataset store still lists as an
/// unfinished import, which <see cref="LeftoverSweeper"/> deletes at the next start.
/// </summary>
public sealed class DatasetImporter(
    IDatasetStore datasetStore,
    IObjectStore store,
    ArchiveSource archiveSource,
    IOptions<DatasetsOptions> datasetsOptions,
    StorageOptions storage,
    TimeProvider time,
    ILogger<DatasetImporter> logger)
{
    private readonly DatasetsOptions _options = datasetsOptions.Value;

    private static readonly IReadOnlyList<IDatasetFormatReader> Readers =
        [new ImageFolderReader(), new CocoReader(), new VocReader(), new SegmentationMaskReader(), new IdxReader()];

    public static IDatasetFormatReader ReaderFor(DatasetFormat format) =>
        Readers.FirstOrDefault(r => r.Format == format)
        ?? throw DomainException.InvalidArgument("header.format must be IMAGE_FOLDER, COCO_JSON, PASCAL_VOC, SEGMENTATION_MASKS or IDX");

    public async Task<ImportOutcome> ImportAsync(
        ImportDatasetVersionHeader header, IAsyncEnumerable<ReadOnlyMemory<byte>> chunks, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(header.DatasetId))
        {
            throw DomainException.InvalidArgument("header.dataset_id is required");
        }
        TextLimits.Check(header.Description, TextLimits.Description, "header.description");
        TextLimits.CheckClassNames(header.ClassNames, "header.class_names");
        var reader = ReaderFor(header.Format);
        if (header.ArchiveKind == ArchiveKind.Unspecified)
        {
            throw DomainException.InvalidArgument("header.archive_kind must be TAR, TAR_GZIP or ZIP");
        }
        var split = SplitAssigner.Normalize(header.Split);
        var dataset = await datasetStore.FindDatasetAsync(header.DatasetId, cancellationToken)
            ?? throw DomainException.NotFound($"dataset '{header.DatasetId}' does not exist");
        if (dataset.TaskType != reader.TaskType)
        {
            throw DomainException.FailedPrecondition(
                $"header.format {header.Format} holds {reader.TaskType} annotations but dataset '{dataset.Id}' is for {dataset.TaskType}");
        }
        if (header.ClassNames.Distinct(StringComparer.Ordinal).Count() != header.ClassNames.Count || header.ClassNames.Any(string.IsNullOrEmpty))
        {
            throw DomainException.InvalidArgument("header.class_names must be distinct and non-empty");
        }

        var importId = Guid.NewGuid().ToString("N");
        var work = Path.Combine(Path.GetFullPath(_options.WorkDirectory), $"import-{importId}");
        Directory.CreateDirectory(work);
        try
        {
            var archive = Path.Combine(work, "archive");
            await archiveSource.SpoolAsync(header, chunks, archive, cancellationToken);
            var extracted = Path.Combine(work, "extracted");
            var files = await new ArchiveExtractor(_options.Archive).ExtractAsync(archive, header.ArchiveKind, extracted, cancellationToken);
            File.Delete(archive);

            var issues = new ValidationCollector();
            var source = reader.Read(extracted, files, header.ClassNames, issues);
            await using var spool = new SampleSpool(Path.Combine(work, "samples.spool"));
            var accepted = ValidateAll(source, dataset.TaskType, issues, spool);
            var report = issues.Finish();
            if (issues.IssueCount > 0 && header.InvalidSamples != InvalidSamplePolicy.DropInvalid)
            {
                throw new ImportRejectedException(issues.RejectionMessage(), report);
            }
            if (accepted.Count == 0)
            {
                throw new ImportRejectedException(
                    $"archive holds no valid sample ({report.SamplesSeen} seen, {report.SamplesDropped} dropped)", report);
            }
            Directory.Delete(extracted, recursive: true);

            return await WriteVersionAsync(header, dataset, source.ClassNames, source.ClassSourceIds, split, accepted, spool, report, importId, work, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw DomainException.InvalidArgument($"archive cannot be read as {header.Format}: {e.Message}");
        }
        finally
        {
            TryDeleteDirectory(work);
        }
    }

    private List<AcceptedSample> ValidateAll(SourceDataset source, TaskType taskType, ValidationCollector issues, SampleSpool spool)
    {
        var validator = new SampleValidator(taskType, source.ClassNames, issues);
        var accepted = new List<AcceptedSample>();
        long seen = 0, dropped = 0;
        foreach (var sample in source.Samples)
        {
            seen++;
            var result = validator.Validate(sample);
            if (result is null)
            {
                dropped++;
                continue;
            }
            var (offset, length) = spool.Append(result.Sample);
            accepted.Add(new AcceptedSample(sample.Id, sample.SourceSplit, offset, length, result.Pixels, result.MaskClassPixels));
        }
        issues.Summary.SamplesSeen = seen + issues.SamplesDroppedByReader;
        issues.Summary.SamplesDropped = dropped + issues.SamplesDroppedByReader;
        issues.Summary.SamplesAccepted = accepted.Count;
        issues.Summary.AnnotationsChanged = validator.AnnotationsChanged;
        return accepted;
    }

    private async Task<ImportOutcome> WriteVersionAsync(
        ImportDatasetVersionHeader header, Dataset dataset, IReadOnlyList<string> classNames, IReadOnlyList<long>? classSourceIds, SplitSpec split,
        List<AcceptedSample> accepted, SampleSpool spool, ValidationReport report, string importId, string work,
        CancellationToken cancellationToken)
    {
        var keys = accepted.Select(a => SplitAssigner.ShuffleKey(split.Seed, a.Id)).ToArray();
        var splits = SplitAssigner.Assign(split, accepted.Select(a => a.SourceSplit).ToArray(), keys);
        var order = Enumerable.Range(0, accepted.Count).ToArray();
        Array.Sort(order, (a, b) => splits[a] != splits[b] ? splits[a].CompareTo(splits[b]) : SplitAssigner.Compare(keys, a, b));

        var prefix = $"{_options.ObjectPrefix}{dataset.Id}/{importId}/";
        await datasetStore.BeginImportAsync(dataset.Id, importId, prefix, cancellationToken);
        var committed = false;
        try
        {
            using var versionHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            versionHash.AppendData(Encoding.UTF8.GetBytes(
                $"cauchy.datasets.version.v1\n{dataset.TaskType}\n{classNames.Count}\n{string.Join("\n", classNames)}\n"));
            if (classSourceIds is not null)
            {
                versionHash.AppendData(Encoding.UTF8.GetBytes($"source ids\n{string.Join("\n", classSourceIds)}\n"));
            }
            var statistics = new StatisticsBuilder(classNames, dataset.TaskType);
            await using (var writer = new ShardSetWriter(store, prefix, Path.Combine(work, "shards"), _options.Shards, versionHash))
            {
                foreach (var i in order)
                {
                    var sample = spool.Read(accepted[i].Offset, accepted[i].Length);
                    sample.Split = splits[i];
                    await writer.AddAsync(sample, cancellationToken);
                    statistics.Add(sample, accepted[i].Pixels, accepted[i].MaskClassPixels);
                }
                await writer.CompleteAsync(cancellationToken);

                var versionId = Convert.ToHexStringLower(versionHash.GetHashAndReset());
                var manifest = new ShardManifest
                {
                    DatasetId = dataset.Id,
                    VersionId = versionId,
                    BaseUri = BaseUri(storage),
                    Splits = { writer.Splits },
                };
                using (var manifestBytes = new MemoryStream(manifest.ToByteArray()))
                {
                    await store.PutAsync(ShardKeys.Manifest(prefix), manifestBytes, cancellationToken);
                }
                var version = new DatasetVersion
                {
                    DatasetId = dataset.Id,
                    VersionId = versionId,
                    TaskType = dataset.TaskType,
                    Format = header.Format,
                    ClassNames = { classNames },
                    ClassSourceIds = { classSourceIds ?? [] },
                    Split = split,
                    SampleCount = writer.SampleCount,
                    SizeBytes = writer.TotalBytes,
                    Validation = report,
                    Source = header.SourceCase == ImportDatasetVersionHeader.SourceOneofCase.SourceUri ? header.SourceUri : "upload",
                    Description = header.Description,
                    CreateTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
                };
                foreach (var s in writer.Splits)
                {
                    version.SplitCounts.Add(new SplitCount { Split = s.Split, SampleCount = s.Shards.Sum(x => x.SampleCount) });
                }

                var stored = new StoredVersion(version, prefix, manifest, statistics.Build(dataset.Id, versionId));
                var (result, alreadyExisted) = await datasetStore.CommitImportAsync(importId, stored, cancellationToken);
                committed = !alreadyExisted;
                if (alreadyExisted)
                {
                    await DeletePrefixAsync(prefix, CancellationToken.None);
                }
                logger.LogInformation("Imported {Samples} samples into dataset {Dataset} as version {Version} ({AlreadyExisted})",
                    writer.SampleCount, dataset.Id, versionId, alreadyExisted ? "already existed" : "new");
                return new ImportOutcome(result, report, alreadyExisted);
            }
        }
        finally
        {
            if (!committed)
            {
                await DeletePrefixAsync(prefix, CancellationToken.None);
            }
        }
    }

    /// <summary>Deletes every object under the prefix and then the dataset store's note of it; failures are logged, the sweeper retries.</summary>
    public async Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in store.ListAsync(prefix, cancellationToken))
            {
                await store.DeleteAsync(item.Key, cancellationToken);
            }
            await datasetStore.ForgetPrefixAsync(prefix, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not delete the objects under {Prefix}; the next start-up sweep retries", prefix);
        }
    }

    /// <summary>The location every shard key is relative to, as the manifest reports it.</summary>
    public static string BaseUri(StorageOptions storage) =>
        storage.Kind.Trim().Equals("s3", StringComparison.OrdinalIgnoreCase)
            ? $"s3://{storage.S3.Bucket}/"
            : new Uri(Path.GetFullPath(storage.Local.Root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar).AbsoluteUri;

    private void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException e)
        {
            logger.LogWarning(e, "Could not delete the import folder {Path}", path);
        }
    }

    private sealed record AcceptedSample(string Id, Split SourceSplit, long Offset, int Length, PixelSums? Pixels, long[]? MaskClassPixels);

    /// <summary>Accepted samples between validation and sharding: serialized one after another in a local file.</summary>
    private sealed class SampleSpool : IAsyncDisposable
    {
        private readonly FileStream _file;
        private readonly SafeFileHandle _handle;
        private bool _flushed;

        public SampleSpool(string path)
        {
            _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20, FileOptions.DeleteOnClose);
            _handle = _file.SafeFileHandle;
        }

        public (long Offset, int Length) Append(Sample sample)
        {
            var offset = _file.Position;
            sample.WriteTo(_file);
            return (offset, (int)(_file.Position - offset));
        }

        public Sample Read(long offset, int length)
        {
            if (!_flushed)
            {
                _file.Flush();
                _flushed = true;
            }
            var buffer = new byte[length];
            RandomAccess.Read(_handle, buffer, offset);
            return Sample.Parser.ParseFrom(buffer);
        }

        public ValueTask DisposeAsync() => _file.DisposeAsync();
    }
}
