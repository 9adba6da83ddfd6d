using Cauchy.Data;
using Cauchy.Domain;
using Cauchy.Registry.Data;
using Cauchy.Storage;
using Cauchy.V1;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Registry.Domain;

/// <summary>
/// Puts a version's weights and model card into the object store under their sha256 (content-addressed, so identical
/// weights are stored once); a check that fails while the weights stream stores nothing.
/// </summary>
internal sealed class VersionArtifacts(IDbContextFactory<RegistryDbContext> dbs, IObjectStore store)
{
    internal async Task<StoredArtifacts> StoreArtifactsAsync(
        NewVersion spec, Stream weights, WeightsUpload upload, string field, TaskType? task, string? architecture, CancellationToken ct)
    {
        ObjectInfo info;
        await using (var verifying = new VerifyingStream(weights, upload.SizeBytes, upload.Sha256, field))
        await using (var safetensors = new SafetensorsCheckingStream(verifying, upload.SizeBytes, field))
        {
            info = await PutCheckedAsync(safetensors, ct);
        }
        return await StoreCardAsync(spec, info, task, architecture, ct);
    }

    /// <summary>Stores a checked upload; a failed check (the source's last or header read throws) is INVALID_ARGUMENT and stores nothing.</summary>
    internal async Task<ObjectInfo> PutCheckedAsync(Stream checkedSource, CancellationToken ct)
    {
        try
        {
            return await store.PutContentAddressedAsync(checkedSource, ct);
        }
        catch (Exception e) when (Find<ArtifactMismatchException>(e) is { } mismatch)
        {
            throw DomainException.InvalidArgument(mismatch.Message + " Nothing was stored.");
        }
        catch (Exception e) when (e is not DomainException && Find<DomainException>(e) is { } refusal)
        {
            throw refusal;
        }
    }

    internal async Task<StoredArtifacts> StoreCardAsync(NewVersion spec, ObjectInfo weights, TaskType? task, string? architecture, CancellationToken ct)
    {
        byte[] card;
        if (!spec.ModelCardJson.IsEmpty)
        {
            card = spec.ModelCardJson.ToByteArray();
        }
        else
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var model = await db.Models.AsNoTracking().FirstOrDefaultAsync(m => m.Name == spec.ModelName, ct);
            card = ModelCard.Write(spec.ModelName, model is null ? task ?? TaskType.Unspecified : (TaskType)model.TaskType,
                model?.Architecture ?? architecture ?? "", spec.ClassNames, spec.Metrics, spec.Lineage, spec.Pretrained, spec.Description);
        }
        using var cardStream = new MemoryStream(card, writable: false);
        return new StoredArtifacts(weights, await store.PutContentAddressedAsync(cardStream, ct));
    }

    private static TException? Find<TException>(Exception e)
        where TException : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is TException match)
            {
                return match;
            }
        }
        return null;
    }
}
