using System.Security.Cryptography;
using Cauchy.Datasets.Images;
using Cauchy.Storage;
using Cauchy.V1;
using Google.Protobuf;

namespace Cauchy.Datasets.Shards;

/// <summary>
/// Writes a version's samples, already in final order (split by split), as shards under one object-store prefix.
/// A shard is a sequence of records, each a varint length followed by a serialized <see cref="Sample"/> (protobuf's
/// length-delimited stream format); each shard gets an index object (<see cref="ShardIndex"/>) and a SHA-256.
/// A shard is built in a local temporary file and put into the store once complete, so memory holds one sample
/// at a time. The writer also hashes every record into the version's content hash.
/// </summary>
public sealed class ShardSetWriter : IAsyncDisposable
{
    private readonly IObjectStore _store;
    private readonly string _prefix;
    private readonly string _workDirectory;
    private readonly ShardOptions _options;
    private readonly IncrementalHash _versionHash;
    private readonly List<SplitShards> _splits = [];
    private readonly byte[] _lengthBuffer = new byte[10];

    private FileStream? _file;
    private IncrementalHash? _shardHash;
    private List<ShardIndexEntry> _index = [];
    private Split _split = Split.Unspecified;
    private int _shardNumber;
    private long _shardBytes;

    public ShardSetWriter(IObjectStore store, string prefix, string workDirectory, ShardOptions options, IncrementalHash versionHash)
    {
        _store = store;
        _prefix = prefix;
        _workDirectory = workDirectory;
        _options = options;
        _versionHash = versionHash;
        Directory.CreateDirectory(workDirectory);
    }

    public long TotalBytes { get; private set; }

    public long SampleCount { get; private set; }

    public IReadOnlyList<SplitShards> Splits => _splits;

    /// <summary>Appends a sample; samples of one split must come together (train, then validation, then test).</summary>
    public async Task AddAsync(Sample sample, CancellationToken cancellationToken)
    {
        if (sample.Split != _split)
        {
            await CloseShardAsync(cancellationToken);
            if (_splits.Any(s => s.Split == sample.Split))
            {
                throw new InvalidOperationException($"samples of split {sample.Split} arrived after another split");
            }
            _split = sample.Split;
            _shardNumber = 0;
            _splits.Add(new SplitShards { Split = sample.Split });
        }
        if (_file is null)
        {
            OpenShard();
        }

        var body = sample.ToByteArray();
        var prefixLength = Varint.Write(_lengthBuffer, (uint)body.Length);
        var offset = _shardBytes;
        await _file!.WriteAsync(_lengthBuffer.AsMemory(0, prefixLength), cancellationToken);
        await _file.WriteAsync(body, cancellationToken);
        _shardHash!.AppendData(_lengthBuffer, 0, prefixLength);
        _shardHash.AppendData(body);
        _versionHash.AppendData(_lengthBuffer, 0, prefixLength);
        _versionHash.AppendData(body);
        _index.Add(new ShardIndexEntry(offset, body.Length, Crc32.Compute(body)));
        _shardBytes += prefixLength + body.Length;
        SampleCount++;

        if (_index.Count >= _options.MaxSamples || _shardBytes >= _options.MaxBytes)
        {
            await CloseShardAsync(cancellationToken);
        }
    }

    /// <summary>Writes the last shard; afterwards <see cref="Splits"/> lists every shard.</summary>
    public Task CompleteAsync(CancellationToken cancellationToken) => CloseShardAsync(cancellationToken);

    private void OpenShard()
    {
        var path = Path.Combine(_workDirectory, $"shard-{Guid.NewGuid():N}.tmp");
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20, FileOptions.DeleteOnClose);
        _shardHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        _index = [];
        _shardBytes = 0;
    }

    private async Task CloseShardAsync(CancellationToken cancellationToken)
    {
        if (_file is null)
        {
            return;
        }
        var shardKey = ShardKeys.Shard(_prefix, _split, _shardNumber);
        var indexKey = ShardKeys.Index(_prefix, _split, _shardNumber);
        await _file.FlushAsync(cancellationToken);
        _file.Position = 0;
        var stored = await _store.PutAsync(shardKey, _file, cancellationToken);
        var sha = Convert.ToHexStringLower(_shardHash!.GetHashAndReset());
        if (stored.Sha256 is { } storedSha && storedSha != sha)
        {
            throw new InvalidOperationException($"shard '{shardKey}' was stored with sha256 {storedSha}, written with {sha}");
        }
        var indexBytes = new ShardIndex(_index).Serialize();
        using (var indexStream = new MemoryStream(indexBytes, writable: false))
        {
            await _store.PutAsync(indexKey, indexStream, cancellationToken);
        }

        _splits[^1].Shards.Add(new Shard
        {
            Index = _shardNumber,
            ObjectKey = shardKey,
            SampleCount = _index.Count,
            SizeBytes = _shardBytes,
            Sha256 = sha,
            IndexObjectKey = indexKey,
            IndexSha256 = Convert.ToHexStringLower(SHA256.HashData(indexBytes)),
            IndexSizeBytes = indexBytes.Length,
        });
        TotalBytes += _shardBytes + indexBytes.Length;
        _shardNumber++;
        await _file.DisposeAsync();
        _file = null;
        _shardHash.Dispose();
        _shardHash = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync();
        }
        _shardHash?.Dispose();
    }
}
