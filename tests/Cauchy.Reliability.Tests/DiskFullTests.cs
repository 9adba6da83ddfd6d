using System.Diagnostics;
using Cauchy.Testing;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit;

namespace Cauchy.Reliability.Tests;

/// <summary>
/// The local store's disk full: the datasets service with its data folder (database, work folder, objects) on a small
/// tmpfs, filled to the last few hundred KiB. Needs root (mount); skipped with the reason where mounting is refused.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class DiskFullTests
{
    private const long DiskBytes = 8 << 20;

    [SkippableFact]
    public async Task A_full_disk_is_a_clear_error_that_writes_nothing_keeps_reads_serving_and_passes_once_space_is_freed()
    {
        string mountPoint = TempDirectory.Create("cauchy-reliability-tmpfs");
        var (mounted, output) = await RunAsync("mount", "-t", "tmpfs", "-o", $"size={DiskBytes}", "tmpfs", mountPoint);
        if (!mounted)
        {
            TempDirectory.Delete(mountPoint);
        }

        Skip.IfNot(mounted, $"a tmpfs cannot be mounted here ({output.Trim()}): the scenario needs root with the right to mount");
        try
        {
            await RunScenarioAsync(mountPoint);
        }
        finally
        {
            await RunAsync("umount", "-l", mountPoint);
            TempDirectory.Delete(mountPoint);
        }
    }

    private static async Task RunScenarioAsync(string dataRoot)
    {
        await using ServiceProcess datasets = await ServiceProcess.StartAsync("datasets", "Cauchy.Datasets",
            new Dictionary<string, string>
            {
                ["CAUCHY_DATASETS__SHARDS__MAXSAMPLES"] = "200",
                // Alone, without a registry: nothing is deleted here, which is what the lineage check is for.
                ["CAUCHY_DATASETS__CHECKREGISTRYLINEAGE"] = "false",
            },
            dataRoot, startTimeout: TimeSpan.FromSeconds(180));
        try
        {
            await FillAndRecoverAsync(datasets, dataRoot);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}\n--- datasets ---\n{datasets.Output}");
        }
    }

    private static async Task FillAndRecoverAsync(ServiceProcess datasets, string dataRoot)
    {
        using GrpcChannel channel = TestAuthentication.ServiceChannel(datasets.Address, "reliability-load");
        var client = new V1.Datasets.DatasetsClient(channel);

        // A version imported while there is room, and the dataset the big import goes into.
        DatasetVersion small = await ImportAsync(client, "disk-small", 100, 20, create: true);
        await client.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = "disk-big", TaskType = TaskType.Classification }, ReliabilityPlatform.Deadline());

        // Fill the disk to its last 256 KiB.
        string filler = Path.Combine(dataRoot, "filler");
        long free = new DriveInfo(dataRoot).AvailableFreeSpace;
        await using (var file = new FileStream(filler, FileMode.CreateNew))
        {
            var zeros = new byte[1 << 16];
            for (long left = free - (256 << 10); left > 0; left -= zeros.Length)
            {
                await file.WriteAsync(zeros.AsMemory(0, (int)Math.Min(zeros.Length, left)));
            }
        }

        var refused = await Assert.ThrowsAsync<RpcException>(() => ImportAsync(client, "disk-big", 3000, 300, create: false));
        Assert.True(refused.StatusCode is StatusCode.ResourceExhausted or StatusCode.FailedPrecondition, $"{refused.StatusCode}: {refused.Status.Detail}\n{datasets.Output}");
        Assert.Contains("no space", refused.Status.Detail, StringComparison.OrdinalIgnoreCase);

        // Nothing half-written: no version, no import folder, no temporary object file.
        var versions = await client.ListDatasetVersionsAsync(new ListDatasetVersionsRequest { DatasetId = "disk-big" }, ReliabilityPlatform.Deadline());
        Assert.Empty(versions.Versions);
        string work = Path.Combine(dataRoot, "work");
        Assert.Empty(Directory.Exists(work) ? Directory.GetFileSystemEntries(work) : []);
        string temporary = Path.Combine(dataRoot, "objects", ".tmp");
        Assert.Empty(Directory.Exists(temporary) ? Directory.GetFiles(temporary) : []);

        // Reads go on: the earlier version and its shards.
        DatasetVersion read = (await client.GetDatasetVersionAsync(new GetDatasetVersionRequest { DatasetId = "disk-small", VersionId = small.VersionId }, ReliabilityPlatform.Deadline())).Version;
        Assert.Equal(small.SampleCount, read.SampleCount);
        var manifest = await client.GetShardManifestAsync(new GetShardManifestRequest { DatasetId = "disk-small", VersionId = small.VersionId }, ReliabilityPlatform.Deadline());
        Assert.NotEmpty(manifest.Manifest.Splits);

        // Space freed: the same import passes.
        File.Delete(filler);
        DatasetVersion big = await ImportAsync(client, "disk-big", 3000, 300, create: false);
        Assert.Equal(3300, big.SampleCount);
    }

    private static async Task<DatasetVersion> ImportAsync(V1.Datasets.DatasetsClient client, string datasetId, int train, int test, bool create)
    {
        if (create)
        {
            await client.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = datasetId, TaskType = TaskType.Classification }, ReliabilityPlatform.Deadline());
        }

        byte[] archive = FashionMnistSubset.Tar(train, test);
        using var call = client.ImportDatasetVersion(ReliabilityPlatform.Deadline(120));
        try
        {
            await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest
            {
                Header = new ImportDatasetVersionHeader
                {
                    DatasetId = datasetId,
                    Format = DatasetFormat.Idx,
                    ArchiveKind = ArchiveKind.Tar,
                    Split = new SplitSpec { KeepSourceSplits = true, TrainFraction = 1 },
                    Upload = new ArchiveUpload { SizeBytes = archive.Length },
                },
            });
            for (int offset = 0; offset < archive.Length; offset += 1 << 18)
            {
                await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest { Chunk = ByteString.CopyFrom(archive, offset, Math.Min(1 << 18, archive.Length - offset)) });
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The service may answer before it has read the whole upload; its status is what counts.
        }

        return (await call.ResponseAsync).Version;
    }

    private static async Task<(bool Ok, string Output)> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode == 0, await stdout + await stderr);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (false, e.Message);
        }
    }
}
