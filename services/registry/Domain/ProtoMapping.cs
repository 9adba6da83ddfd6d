using System.Text.Json;
using Cauchy.Registry.Data;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;

namespace Cauchy.Registry.Domain;

/// <summary>Rows to protos.</summary>
public static class ProtoMapping
{
    public static Model ToProto(ModelEntity row)
    {
        var model = new Model
        {
            Name = row.Name,
            TaskType = (TaskType)row.TaskType,
            Architecture = row.Architecture,
            Description = row.Description,
            CreateTime = Timestamp.FromDateTime(row.CreateTime),
            UpdateTime = Timestamp.FromDateTime(row.UpdateTime),
            LatestVersion = row.LatestVersion,
        };
        foreach (var label in row.Labels)
        {
            model.Labels[label.Key] = label.Value;
        }
        return model;
    }

    public static ModelVersion ToProto(ModelVersionEntity row, ArtifactUris uris)
    {
        var version = new ModelVersion
        {
            ModelName = row.ModelName,
            Version = row.Number,
            VersionId = row.VersionId,
            Stage = (ModelStage)row.Stage,
            Description = row.Description,
            CreateTime = Timestamp.FromDateTime(row.CreateTime),
            StageUpdateTime = Timestamp.FromDateTime(row.StageUpdateTime),
            Weights = new ObjectRef
            {
                Uri = uris.For(row.WeightsKey),
                Sha256 = row.WeightsSha256,
                SizeBytes = row.WeightsSize,
                MediaType = "application/octet-stream",
            },
            ModelCard = new ObjectRef
            {
                Uri = uris.For(row.ModelCardKey),
                Sha256 = row.ModelCardSha256,
                SizeBytes = row.ModelCardSize,
                MediaType = "application/json",
            },
        };
        if (row.Lineage is not null)
        {
            version.Lineage = Lineage.Parser.ParseFrom(row.Lineage);
        }
        if (row.Pretrained is not null)
        {
            version.Pretrained = PretrainedSource.Parser.ParseFrom(row.Pretrained);
        }
        version.ClassNames.AddRange(JsonSerializer.Deserialize<string[]>(row.ClassNamesJson) ?? []);
        foreach (var (key, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(row.LabelsJson) ?? [])
        {
            version.Labels[key] = value;
        }
        foreach (var metric in row.Metrics.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            version.Metrics.Add(new MetricValue
            {
                Name = metric.Name,
                Value = metric.Value,
                Step = metric.Step,
                Epoch = metric.Epoch,
                Time = metric.Time is { } time ? Timestamp.FromDateTime(time) : null,
            });
        }
        return version;
    }
}
