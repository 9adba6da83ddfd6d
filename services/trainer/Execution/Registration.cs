using System.Security.Cryptography;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Cauchy.Trainer.Execution;

/// <summary>
/// Registers trained weights with the registry under the spec's output model name, with their lineage (job, attempt,
/// dataset version, the resolved spec, the pretrained base) and the last epoch's metrics. The idempotency key is the
/// job id, so a retried registration of the same weights gives the same version.
/// </summary>
public sealed class Registration(Models.ModelsClient models)
{
    public async Task<RegisteredVersion> RegisterAsync(JobAttempt attempt, PreparedData data, TrainedModel trained, CancellationToken ct)
    {
        Job job = attempt.Job;
        JobSpec spec = attempt.Spec;
        string sha256;
        long size;
        await using (FileStream file = File.OpenRead(trained.WeightsPath))
        {
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
            size = file.Length;
        }

        var header = new CreateModelVersionHeader
        {
            ModelName = spec.OutputModelName,
            CreateModel = true,
            Lineage = new Lineage
            {
                JobId = job.Id,
                Attempt = job.Attempt,
                DatasetVersion = spec.Dataset,
                JobSpec = spec,
                BaseModelVersion = spec.Model.Pretrained,
            },
            Description = $"{spec.Model.Architecture} trained by job {job.Id} on {spec.Dataset.DatasetId}/{spec.Dataset.VersionId}",
            Weights = new WeightsUpload { SizeBytes = size, Sha256 = sha256 },
            IdempotencyKey = $"job-{job.Id}",
        };
        header.ClassNames.AddRange(data.ClassNames);
        header.Metrics.AddRange(trained.Metrics.Select(m => new MetricValue { Name = m.Key, Value = m.Value, Step = data.Plan.TotalSteps, Epoch = data.Plan.Epochs }));
        ModelVersion registered;
        try
        {
            registered = await UploadAsync(header, trained.WeightsPath, ct);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            // An earlier attempt of this job registered other weights (it trained on past its last checkpoint before
            // it was lost): this attempt's weights become a version of their own.
            header.IdempotencyKey = $"job-{job.Id}-attempt-{job.Attempt}";
            registered = await UploadAsync(header, trained.WeightsPath, ct);
        }

        attempt.Log($"registered {registered.ModelName}:{registered.Version} ({registered.VersionId})");
        return new RegisteredVersion(registered);
    }

    private async Task<ModelVersion> UploadAsync(CreateModelVersionHeader header, string weights, CancellationToken ct)
    {
        using var call = models.CreateModelVersion(cancellationToken: ct);
        await call.RequestStream.WriteAsync(new CreateModelVersionRequest { Header = header }, ct);
        await using (FileStream file = File.OpenRead(weights))
        {
            byte[] buffer = new byte[1 << 20];
            int read;
            while ((read = await file.ReadAsync(buffer, ct)) > 0)
            {
                await call.RequestStream.WriteAsync(new CreateModelVersionRequest { Chunk = ByteString.CopyFrom(buffer, 0, read) }, ct);
            }
        }

        await call.RequestStream.CompleteAsync();
        return (await call.ResponseAsync).ModelVersion;
    }
}
