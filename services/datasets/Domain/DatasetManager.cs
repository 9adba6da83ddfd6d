using System.Globalization;
using Cauchy.Datasets.Data;
using Cauchy.Datasets.Import;
using Cauchy.Datasets.Shards;
using Cauchy.Domain;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace Cauchy.Datasets.Domain;

/// <summary>
/// Everything the Datasets API does except importing: datasets, versions, statistics, manifests and shard reads,
/// with the request checks of datasets.proto. Deleting a version first asks <see cref="IModelLineage"/>, makes the
/// version invisible in the dataset store, then deletes its objects.
/// </summary>
public sealed class DatasetManager(
    IDatasetStore datasetStore,
    DatasetImporter importer,
    ShardReader shardReader,
    IModelLineage lineage,
    IOptions<DatasetsOptions> datasetsOptions,
    TimeProvider time)
{
    private readonly DatasetsOptions _options = datasetsOptions.Value;

    public Task<Dataset> CreateDatasetAsync(CreateDatasetRequest request, CancellationToken cancellationToken)
    {
        Identifiers.ValidateDatasetId(request.DatasetId, "dataset_id");
        if (request.TaskType == TaskType.Unspecified || !System.Enum.IsDefined(request.TaskType))
        {
            throw DomainException.InvalidArgument("task_type is required: CLASSIFICATION, DETECTION or SEGMENTATION");
        }
        Identifiers.ValidateLabels(request.Labels, "labels");
        TextLimits.Check(request.DisplayName, TextLimits.DisplayName, "display_name");
        TextLimits.Check(request.Description, TextLimits.Description, "description");
        var now = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        return datasetStore.CreateDatasetAsync(new Dataset
        {
            Id = request.DatasetId,
            DisplayName = request.DisplayName,
            Description = request.Description,
            TaskType = request.TaskType,
            Labels = { request.Labels },
            CreateTime = now,
            UpdateTime = now,
        }, cancellationToken);
    }

    public async Task<Dataset> GetDatasetAsync(string datasetId, CancellationToken cancellationToken)
    {
        Identifiers.ValidateDatasetId(datasetId, "dataset_id");
        return await datasetStore.FindDatasetAsync(datasetId, cancellationToken)
            ?? throw DomainException.NotFound($"dataset '{datasetId}' does not exist");
    }

    public async Task<ListDatasetsResponse> ListDatasetsAsync(ListDatasetsRequest request, CancellationToken cancellationToken)
    {
        var size = PageToken.Size(request.PageSize);
        var fingerprint = $"{(int)request.TaskType};{string.Join(",", request.LabelSelector.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))}";
        var after = PageToken.Decode(request.PageToken, fingerprint, 1)?[0];
        var response = new ListDatasetsResponse();
        var budget = new PageBudget();
        while (response.Datasets.Count < size)
        {
            var batch = await datasetStore.ListDatasetsAsync(after, size, request.TaskType, cancellationToken);
            foreach (var dataset in batch)
            {
                if (request.LabelSelector.All(p => dataset.Labels.TryGetValue(p.Key, out var v) && v == p.Value))
                {
                    if (!budget.TryAdd(dataset.CalculateSize()))
                    {
                        // The page is full in bytes: the next one starts at this dataset (after the one before it).
                        response.NextPageToken = PageToken.Encode(fingerprint, after!);
                        return response;
                    }

                    after = dataset.Id;
                    response.Datasets.Add(dataset);
                    if (response.Datasets.Count == size)
                    {
                        break;
                    }
                }
                else
                {
                    after = dataset.Id;
                }
            }
            if (batch.Count < size)
            {
                return response;
            }
        }
        response.NextPageToken = PageToken.Encode(fingerprint, after!);
        return response;
    }

    public async Task DeleteDatasetAsync(string datasetId, bool force, CancellationToken cancellationToken)
    {
        Identifiers.ValidateDatasetId(datasetId, "dataset_id");
        if (force)
        {
            for (var offset = 0; ; offset += 100)
            {
                var versions = await datasetStore.ListVersionsAsync(datasetId, offset, 100, cancellationToken);
                foreach (var version in versions)
                {
                    await lineage.EnsureNotReferencedAsync(datasetId, version.Version.VersionId, cancellationToken);
                }
                if (versions.Count < 100)
                {
                    break;
                }
            }
        }
        var prefixes = await datasetStore.DeleteDatasetAsync(datasetId, force, cancellationToken);
        foreach (var prefix in prefixes)
        {
            await importer.DeletePrefixAsync(prefix, CancellationToken.None);
        }
    }

    public async Task<StoredVersion> GetVersionAsync(string datasetId, string versionId, CancellationToken cancellationToken)
    {
        Identifiers.ValidateDatasetId(datasetId, "dataset_id");
        if (versionId.Length == 0)
        {
            throw DomainException.InvalidArgument("version_id is required");
        }
        return await datasetStore.FindVersionAsync(datasetId, versionId, cancellationToken)
            ?? throw DomainException.NotFound($"dataset '{datasetId}' has no version '{versionId}'");
    }

    public async Task<ListDatasetVersionsResponse> ListVersionsAsync(ListDatasetVersionsRequest request, CancellationToken cancellationToken)
    {
        var size = PageToken.Size(request.PageSize);
        await GetDatasetAsync(request.DatasetId, cancellationToken);
        var position = PageToken.Decode(request.PageToken, request.DatasetId, 1)?[0];
        var offset = 0;
        if (position is not null && (!int.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out offset)))
        {
            throw PageToken.NotIssued();
        }
        var versions = await datasetStore.ListVersionsAsync(request.DatasetId, offset, size + 1, cancellationToken);
        var response = new ListDatasetVersionsResponse();
        var items = versions.Take(size).Select(v => v.Version).ToList();
        var fitting = PageBudget.Fit(items.Select(v => v.CalculateSize()));
        response.Versions.AddRange(items.Take(fitting));
        if (versions.Count > fitting)
        {
            response.NextPageToken = PageToken.Encode(request.DatasetId, (offset + fitting).ToString(CultureInfo.InvariantCulture));
        }
        return response;
    }

    public async Task DeleteVersionAsync(string datasetId, string versionId, CancellationToken cancellationToken)
    {
        await GetVersionAsync(datasetId, versionId, cancellationToken);
        await lineage.EnsureNotReferencedAsync(datasetId, versionId, cancellationToken);
        var prefix = await datasetStore.DeleteVersionAsync(datasetId, versionId, cancellationToken);
        await importer.DeletePrefixAsync(prefix, CancellationToken.None);
    }

    /// <summary>Streams one shard in encoded batches (see <see cref="ShardReader"/>); the caller disposes each batch.</summary>
    public async IAsyncEnumerable<EncodedSampleBatch> ReadShardAsync(
        ReadShardRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (request.StartSample < 0)
        {
            throw DomainException.InvalidArgument($"start_sample is {request.StartSample}; it must not be negative");
        }
        var version = await GetVersionAsync(request.DatasetId, request.VersionId, cancellationToken);
        var shard = version.Manifest.Splits.FirstOrDefault(s => s.Split == request.Split)?.Shards.FirstOrDefault(s => s.Index == request.ShardIndex)
            ?? throw DomainException.NotFound($"version '{request.VersionId}' has no shard {request.ShardIndex} in split {request.Split}");
        await foreach (var batch in shardReader.ReadEncodedAsync(shard, request.StartSample, Math.Max(1, _options.Shards.ReadBatchSamples), cancellationToken))
        {
            yield return batch;
        }
    }
}
