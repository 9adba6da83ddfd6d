using Cauchy.Data;
using Cauchy.Domain;
using Cauchy.Registry.Data;
using Cauchy.Storage;
using Cauchy.V1;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Registry.Domain;

/// <summary>DownloadArtifact: a version's weights or model card, from an offset, out of the object store.</summary>
public sealed class ArtifactDownloads(IDbContextFactory<RegistryDbContext> dbs, IObjectStore store, ArtifactUris uris)
{
    /// <summary>The artifact's reference and a stream of its bytes from <see cref="DownloadArtifactRequest.Offset"/>.</summary>
    public async Task<(ObjectRef Artifact, Stream Content)> OpenArtifactAsync(DownloadArtifactRequest request, CancellationToken ct)
    {
        if (request.Kind is not (ArtifactKind.Weights or ArtifactKind.ModelCard))
        {
            throw RegistryErrors.InvalidArgument("kind", "is required (WEIGHTS or MODEL_CARD).");
        }
        if (request.Offset < 0)
        {
            throw RegistryErrors.InvalidArgument("offset", $"{request.Offset} is negative.");
        }
        ModelVersion version;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            version = ProtoMapping.ToProto(await RegistryEntities.ResolveAsync(db, request.ModelVersion, "model_version", tracked: false, ct), uris);
        }
        var artifact = request.Kind == ArtifactKind.Weights ? version.Weights : version.ModelCard;
        if (request.Offset > artifact.SizeBytes)
        {
            throw RegistryErrors.InvalidArgument("offset", $"{request.Offset} is beyond the artifact's size of {artifact.SizeBytes} bytes.");
        }
        try
        {
            return (artifact, await store.OpenReadAsync(ObjectKey.ForSha256(artifact.Sha256), request.Offset, cancellationToken: ct));
        }
        catch (ObjectNotFoundException)
        {
            throw DomainException.DataLoss(
                $"The {request.Kind} artifact of model '{version.ModelName}' version {version.Version} is missing from the object store.");
        }
    }
}
