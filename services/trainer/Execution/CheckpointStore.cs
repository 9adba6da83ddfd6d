using System.Globalization;
using System.Security.Cryptography;
using Cauchy.Storage;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Cauchy.Trainer.Execution;

/// <summary>
/// Checkpoints in the object store, as <c>checkpoints/&lt;job id&gt;/step-&lt;n&gt;.safetensors</c>: stored as training
/// writes them, fetched (sha256 checked) when a lease names one to resume from, deleted when the job succeeds.
/// </summary>
public sealed class CheckpointStore(IObjectStore store, StorageOptions storage, TimeProvider time, ILogger<CheckpointStore> logger)
{
    /// <summary>Stores the checkpoint file and describes it as the job's heartbeat reports it.</summary>
    public async Task<Checkpoint> StoreAsync(string jobId, CheckpointWritten written)
    {
        string key = $"checkpoints/{jobId}/step-{written.Step.ToString("D10", CultureInfo.InvariantCulture)}.safetensors";
        ObjectInfo stored;
        await using (FileStream file = File.OpenRead(written.Path))
        {
            // Not cancellable: a checkpoint written for a release must reach the store before the lease ends.
            stored = await store.PutAsync(key, file, CancellationToken.None);
        }

        logger.LogInformation("job {JobId}: checkpoint of step {Step} stored as {Key}", jobId, written.Step, key);
        return new Checkpoint
        {
            Object = new ObjectRef { Uri = ObjectUri(key), Sha256 = stored.Sha256 ?? "", SizeBytes = stored.Size, MediaType = "application/octet-stream" },
            Step = written.Step,
            Epoch = written.EndOfEpoch ? written.Position.Epoch : written.Position.Epoch + 1,
            CompletedEpoch = written.EndOfEpoch,
            CreateTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
        };
    }

    /// <summary>Fetches the checkpoint a lease resumes from to <paramref name="path"/>, checking its sha256.</summary>
    public async Task DownloadAsync(ObjectRef checkpoint, string path, CancellationToken ct)
    {
        Stream source;
        if (checkpoint.Uri.StartsWith("file://", StringComparison.Ordinal) && File.Exists(new Uri(checkpoint.Uri).LocalPath))
        {
            source = File.OpenRead(new Uri(checkpoint.Uri).LocalPath);
        }
        else if (KeyOf(checkpoint.Uri) is { } key)
        {
            source = await store.OpenReadAsync(key, cancellationToken: ct);
        }
        else
        {
            throw new JobFailedException($"the checkpoint to resume from, {checkpoint.Uri}, is not in this worker's object store", retryable: true);
        }

        await using (source)
        await using (FileStream target = File.Create(path))
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            byte[] buffer = new byte[1 << 20];
            int read;
            while ((read = await source.ReadAsync(buffer, ct)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await target.WriteAsync(buffer.AsMemory(0, read), ct);
            }

            string sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (checkpoint.Sha256.Length > 0 && !string.Equals(sha, checkpoint.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new JobFailedException($"the checkpoint {checkpoint.Uri} is corrupt: sha256 {sha}, expected {checkpoint.Sha256}", retryable: false);
            }
        }
    }

    /// <summary>Deletes the job's checkpoints; a failure is logged, not fatal (the job already succeeded).</summary>
    public async Task DeleteAllAsync(string jobId)
    {
        try
        {
            await foreach (ObjectInfo o in store.ListAsync($"checkpoints/{jobId}/"))
            {
                await store.DeleteAsync(o.Key);
            }
        }
        catch (Exception e) when (e is IOException or RpcException or InvalidOperationException)
        {
            logger.LogWarning("job {JobId}: checkpoints not cleaned up: {Error}", jobId, e.Message);
        }
    }

    private string ObjectUri(string key) => storage.Kind.Equals("s3", StringComparison.OrdinalIgnoreCase)
        ? $"s3://{storage.S3.Bucket}/{key}"
        : new Uri(Path.GetFullPath(Path.Combine(storage.Local.Root, key))).AbsoluteUri;

    private string? KeyOf(string uri)
    {
        string prefix = ObjectUri("");
        return uri.StartsWith(prefix, StringComparison.Ordinal) ? uri[prefix.Length..] : null;
    }
}
