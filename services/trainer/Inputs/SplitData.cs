using Cauchy.V1;
using Grpc.Core;

namespace Cauchy.Trainer.Inputs;

/// <summary>
/// One split of a dataset version, read from the datasets service with ReadShard, shard after shard, and held in
/// memory as the stored samples (encoded bytes; decoding happens on the loader's workers). An interrupted stream is
/// resumed where it broke (ReadShard's start_sample), so a datasets restart costs a retry, not the job.
/// </summary>
public sealed class SplitData
{
    private const int MaxAttemptsPerShard = 5;

    private SplitData(Split split, List<Sample> samples)
    {
        Split = split;
        Samples = samples;
    }

    public Split Split { get; }

    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>Reads every shard of <paramref name="split"/> in the manifest's order.</summary>
    public static async Task<SplitData> LoadAsync(Datasets.DatasetsClient datasets, ShardManifest manifest, Split split, CancellationToken cancellationToken)
    {
        var samples = new List<Sample>();
        SplitShards? shards = manifest.Splits.FirstOrDefault(s => s.Split == split);
        foreach (Shard shard in shards?.Shards.OrderBy(s => s.Index) ?? Enumerable.Empty<Shard>())
        {
            long read = 0;
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    using var call = datasets.ReadShard(new ReadShardRequest
                    {
                        DatasetId = manifest.DatasetId,
                        VersionId = manifest.VersionId,
                        Split = split,
                        ShardIndex = shard.Index,
                        StartSample = read,
                    }, cancellationToken: cancellationToken);
                    await foreach (ReadShardResponse response in call.ResponseStream.ReadAllAsync(cancellationToken))
                    {
                        samples.AddRange(response.Samples);
                        read += response.Samples.Count;
                    }

                    break;
                }
                catch (RpcException e) when (attempt < MaxAttemptsPerShard && e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.DeadlineExceeded or StatusCode.Aborted)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt * attempt), cancellationToken);
                }
            }

            if (read != shard.SampleCount)
            {
                throw new InvalidDataException(
                    $"shard {shard.Index} of {split} in {manifest.DatasetId}/{manifest.VersionId}: the manifest promises {shard.SampleCount} samples, ReadShard gave {read}");
            }
        }

        return new SplitData(split, samples);
    }
}
