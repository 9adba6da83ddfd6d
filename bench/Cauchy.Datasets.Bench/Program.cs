using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using Cauchy.Datasets.Bench;
using Cauchy.ServiceDefaults.GrpcClient;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Net.Client;

// make bench-datasets: start the datasets service, import Fashion-MNIST (Debian dataset-fashion-mnist) through
// ImportDatasetVersion as an uploaded tar of its four .gz IDX files, then stream every shard back with ReadShard.
// The last line is machine-readable: "datasets import_fashion_mnist_s=<seconds> shard_read_samples_per_s=<n>".
var source = args.Length > 0 ? args[0] : "/usr/share/datasets/fashion-mnist";
var repoRoot = FindRepoRoot();
var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd('/'))) ?? "Release";
var serviceDll = Path.Combine(repoRoot, "services", "datasets", "bin", configuration, "net10.0", "Cauchy.Datasets.dll");
if (!File.Exists(serviceDll) || !Directory.Exists(source))
{
    Console.Error.WriteLine($"bench-datasets: need {serviceDll} (build it) and {source} (apt-get install dataset-fashion-mnist)");
    return 1;
}

var work = Path.Combine(Path.GetTempPath(), $"cauchy-bench-datasets-{Guid.NewGuid():N}");
Directory.CreateDirectory(work);
try
{
    var archive = Path.Combine(work, "fashion-mnist.tar");
    await using (var tar = File.Create(archive))
    await using (var writer = new TarWriter(tar, TarEntryFormat.Pax))
    {
        foreach (var file in Directory.GetFiles(source, "*-ubyte*").Order(StringComparer.Ordinal))
        {
            await writer.WriteEntryAsync(file, Path.GetFileName(file));
        }
    }
    Console.WriteLine($"bench: {Environment.ProcessorCount} cores, .NET {Environment.Version}, archive {new FileInfo(archive).Length / 1e6:F1} MB from {source}");

    await using var service = await DatasetsServiceProcess.StartAsync(serviceDll, Path.Combine(work, "data"));
    // The channel a trainer reads shards through (Cauchy.ServiceDefaults' ServiceChannelOptions).
    using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{service.Port}", ServiceChannelOptions.Create());
    var client = new Cauchy.V1.Datasets.DatasetsClient(channel);
    await client.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = "fashion-mnist", TaskType = TaskType.Classification });

    var importWatch = Stopwatch.StartNew();
    using var call = client.ImportDatasetVersion();
    await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest
    {
        Header = new ImportDatasetVersionHeader
        {
            DatasetId = "fashion-mnist",
            Format = DatasetFormat.Idx,
            ArchiveKind = ArchiveKind.Tar,
            Split = new SplitSpec { KeepSourceSplits = true, Seed = 1, TrainFraction = 0.9, ValidationFraction = 0.1 },
            Upload = new ArchiveUpload { SizeBytes = new FileInfo(archive).Length },
        },
    });
    await using (var file = File.OpenRead(archive))
    {
        var buffer = new byte[1 << 20];
        int read;
        while ((read = await file.ReadAsync(buffer)) > 0)
        {
            await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest { Chunk = ByteString.CopyFrom(buffer, 0, read) });
        }
    }
    await call.RequestStream.CompleteAsync();
    var imported = await call.ResponseAsync;
    var importSeconds = importWatch.Elapsed.TotalSeconds;
    var version = imported.Version;
    Console.WriteLine($"import: {version.SampleCount} samples in {importSeconds:F2} s, version {version.VersionId[..12]}, " +
        string.Join(", ", version.SplitCounts.Select(s => $"{s.Split}={s.SampleCount}")) + $", shards {version.SizeBytes / 1e6:F1} MB");

    var manifest = (await client.GetShardManifestAsync(new GetShardManifestRequest { DatasetId = "fashion-mnist", VersionId = version.VersionId })).Manifest;
    long samples = 0;
    long checksum = 0;
    var readWatch = Stopwatch.StartNew();
    foreach (var split in manifest.Splits)
    {
        foreach (var shard in split.Shards)
        {
            using var stream = client.ReadShard(new ReadShardRequest
            {
                DatasetId = "fashion-mnist",
                VersionId = version.VersionId,
                Split = split.Split,
                ShardIndex = shard.Index,
            });
            while (await stream.ResponseStream.MoveNext(CancellationToken.None))
            {
                foreach (var sample in stream.ResponseStream.Current.Samples)
                {
                    samples++;
                    checksum += sample.ClassId + sample.Image.Length;
                }
            }
        }
    }
    var readSeconds = readWatch.Elapsed.TotalSeconds;

    // Baselines in the same run: decompressing the IDX files alone (the floor under any import), and parsing the
    // shard files straight from the local object store without gRPC (the ceiling for ReadShard).
    var gunzipWatch = Stopwatch.StartNew();
    foreach (var file in Directory.GetFiles(source, "*-ubyte.gz"))
    {
        await using var gzip = new System.IO.Compression.GZipStream(File.OpenRead(file), System.IO.Compression.CompressionMode.Decompress);
        await gzip.CopyToAsync(Stream.Null);
    }
    var gunzipSeconds = gunzipWatch.Elapsed.TotalSeconds;
    long directSamples = 0;
    var directWatch = Stopwatch.StartNew();
    foreach (var shard in manifest.Splits.SelectMany(s => s.Shards))
    {
        await using var file = new BufferedStream(File.OpenRead(Path.Combine(service.DataRoot, "objects", shard.ObjectKey)), 1 << 20);
        while (file.Position < shard.SizeBytes)
        {
            Sample.Parser.ParseDelimitedFrom(file);
            directSamples++;
        }
    }
    var directPerSecond = directSamples / directWatch.Elapsed.TotalSeconds;
    Console.WriteLine($"baselines: gunzip of the IDX files alone {gunzipSeconds:F2} s; shard files parsed directly (no gRPC) {directPerSecond:F0} samples/s");
    if (samples != version.SampleCount)
    {
        Console.Error.WriteLine($"bench-datasets: read {samples} samples back, the version has {version.SampleCount}");
        return 1;
    }
    var perSecond = samples / readSeconds;
    Console.WriteLine($"read: {samples} samples from {manifest.Splits.Sum(s => s.Shards.Count)} shards in {readSeconds:F2} s (checksum {checksum})");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"datasets import_fashion_mnist_s={importSeconds:F2} shard_read_samples_per_s={perSecond:F0}"));
    return 0;
}
finally
{
    try
    {
        Directory.Delete(work, recursive: true);
    }
    catch (IOException)
    {
    }
}

static string FindRepoRoot()
{
    var directory = new DirectoryInfo(AppContext.BaseDirectory);
    while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "cauchy-k8s.sln")))
    {
        directory = directory.Parent;
    }
    return directory?.FullName ?? throw new InvalidOperationException("cannot find the repository root (cauchy-k8s.sln)");
}
