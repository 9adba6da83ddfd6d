using Cauchy.Datasets.Domain;
using Cauchy.Datasets.Shards;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Cauchy.Datasets.Grpc;

/// <summary>
/// cauchy.v1.Datasets/ReadShard, the platform's hottest stream (it feeds the trainers). Shard records are serialized
/// <see cref="Sample"/> messages already, so each response goes out as the <see cref="EncodedSampleBatch"/> the shard
/// reader filled: byte for byte the ReadShardResponse of those samples, without parsing and serializing them again on
/// the server. It is bound under the Datasets service's name and route (mapped by <c>MapDatasetsServices</c> ahead of
/// the generated binding of <see cref="DatasetsService"/>), so clients and the contract see no difference.
/// </summary>
[BindServiceMethod(typeof(ShardStreamService), nameof(BindService))]
public class ShardStreamService(DatasetManager datasets)
{
    public static readonly Method<ReadShardRequest, EncodedSampleBatch> ReadShardMethod = new(
        MethodType.ServerStreaming,
        Cauchy.V1.Datasets.Descriptor.FullName,
        nameof(ReadShard),
        Marshallers.Create(
            static (ReadShardRequest request, SerializationContext context) =>
            {
                context.SetPayloadLength(request.CalculateSize());
                request.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            static context => ReadShardRequest.Parser.ParseFrom(context.PayloadAsReadOnlySequence())),
        Marshallers.Create(
            static (EncodedSampleBatch batch, SerializationContext context) =>
            {
                context.SetPayloadLength(batch.Length);
                var writer = context.GetBufferWriter();
                var bytes = batch.Bytes.Span;
                while (!bytes.IsEmpty)
                {
                    var span = writer.GetSpan(Math.Min(bytes.Length, 64 << 10));
                    var n = Math.Min(span.Length, bytes.Length);
                    bytes[..n].CopyTo(span);
                    writer.Advance(n);
                    bytes = bytes[n..];
                }

                context.Complete();
            },
            static _ => throw new NotSupportedException("Encoded sample batches are only written; clients read ReadShardResponse.")));

    /// <summary>How Grpc.AspNetCore binds this class (found through <see cref="BindServiceMethodAttribute"/>).</summary>
    public static void BindService(ServiceBinderBase binder, ShardStreamService? service)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.AddMethod(ReadShardMethod, service is null ? null : service.ReadShard);
    }

    public virtual async Task ReadShard(ReadShardRequest request, IServerStreamWriter<EncodedSampleBatch> responseStream, ServerCallContext context)
    {
        await foreach (var batch in datasets.ReadShardAsync(request, context.CancellationToken))
        {
            using (batch)
            {
                await responseStream.WriteAsync(batch);
            }
        }
    }
}
