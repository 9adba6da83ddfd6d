using Cauchy.Datasets.Shards;
using Cauchy.V1;
using Google.Protobuf;

namespace Cauchy.Datasets.Tests.Domain;

/// <summary>ReadShard's responses are written from encoded batches: they must be exactly what protobuf would write.</summary>
public sealed class EncodedSampleBatchTests
{
    private static Sample SampleOf(int index, int imageBytes) => new()
    {
        Id = $"train/{index}",
        Split = Split.Train,
        Image = ByteString.CopyFrom(Enumerable.Range(0, imageBytes).Select(i => (byte)(i * 7 + index)).ToArray()),
        ImageEncoding = ImageEncoding.Raw,
        Width = 28,
        Height = 28,
        Channels = 1,
        ClassId = index % 10,
    };

    [Theory]
    [InlineData(new[] { 784 })]
    [InlineData(new[] { 0, 1, 100, 127, 128, 16_383, 16_384 })]      // record lengths around the varint boundaries
    [InlineData(new[] { 3_000_000, 10, 2_000_000 })]                  // records that outgrow the first buffer
    public void Bytes_are_those_of_the_ReadShardResponse_holding_the_same_samples(int[] imageSizes)
    {
        var samples = imageSizes.Select(SampleOf).ToList();
        using var batch = new EncodedSampleBatch(capacity: 1024);

        foreach (var sample in samples)
        {
            var record = sample.ToByteArray();
            record.CopyTo(batch.Append(record.Length));
        }

        Assert.Equal(samples.Count, batch.Count);
        Assert.Equal(new ReadShardResponse { Samples = { samples } }.ToByteArray(), batch.Bytes.ToArray());
        Assert.Equal(samples, batch.ToSamples());
    }

    [Fact]
    public void An_empty_batch_is_an_empty_response()
    {
        using var batch = new EncodedSampleBatch(capacity: 0);

        Assert.Equal(0, batch.Length);
        Assert.Empty(ReadShardResponse.Parser.ParseFrom(batch.Bytes.Span).Samples);
    }
}
