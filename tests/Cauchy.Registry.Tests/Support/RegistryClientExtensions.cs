using System.Security.Cryptography;
using Cauchy.V1;
using Google.Protobuf;

namespace Cauchy.Registry.Tests.Support;

/// <summary>Client-side streaming helpers: uploads in 1 MiB chunks, downloads hashing as they go.</summary>
public static class RegistryClientExtensions
{
    public const int ChunkBytes = 1024 * 1024;

    public static async Task<CreateModelVersionResponse> UploadAsync(this Models.ModelsClient client, CreateModelVersionHeader header, IEnumerable<ReadOnlyMemory<byte>> chunks,
        CancellationToken cancellationToken = default)
    {
        using var call = client.CreateModelVersion(cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(new CreateModelVersionRequest { Header = header }, cancellationToken);
        foreach (var chunk in chunks)
        {
            await call.RequestStream.WriteAsync(new CreateModelVersionRequest { Chunk = UnsafeByteOperations.UnsafeWrap(chunk) }, cancellationToken);
        }
        await call.RequestStream.CompleteAsync();
        return await call;
    }

    public static IEnumerable<ReadOnlyMemory<byte>> Chunks(byte[] bytes)
    {
        for (var offset = 0; offset < bytes.Length; offset += ChunkBytes)
        {
            yield return bytes.AsMemory(offset, Math.Min(ChunkBytes, bytes.Length - offset));
        }
    }

    /// <summary>Downloads an artifact, hashing it; returns the announced reference, the byte count and the sha256 of what arrived.</summary>
    public static async Task<(ObjectRef Artifact, long Bytes, string Sha256, byte[]? Content)> DownloadAsync(this Models.ModelsClient client, ModelVersionRef version,
        ArtifactKind kind, bool keepContent = true, long offset = 0)
    {
        using var call = client.DownloadArtifact(new DownloadArtifactRequest { ModelVersion = version, Kind = kind, Offset = offset });
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var content = keepContent ? new MemoryStream() : null;
        ObjectRef? artifact = null;
        long bytes = 0;
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            var message = call.ResponseStream.Current;
            if (message.PayloadCase == DownloadArtifactResponse.PayloadOneofCase.Artifact)
            {
                artifact = message.Artifact;
                continue;
            }
            hash.AppendData(message.Chunk.Span);
            content?.Write(message.Chunk.Span);
            bytes += message.Chunk.Length;
        }
        return (artifact ?? throw new InvalidOperationException("No ObjectRef came first."), bytes, Convert.ToHexStringLower(hash.GetHashAndReset()), content?.ToArray());
    }
}
