using System.Security.Cryptography;
using Cauchy.Storage.Tests.Support;
using Cauchy.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Cauchy.Storage.Tests;

/// <summary>
/// Streaming, measured: an object many times the size of a part goes up and comes back through the S3 store
/// while the process's resident memory is watched. Alone in its collection so that only this test allocates.
/// </summary>
[Collection(S3rverAloneCollection.Name)]
public sealed class S3ObjectStoreMemoryTests(S3rverFixture server, ITestOutputHelper output)
{
    private const long ObjectSize = 200L * TestData.MiB;

    // A store that held the object would grow by 200 MiB; one part (8 MiB) plus the clients' buffers and
    // not-yet-collected garbage stays far below this.
    private const long MaxGrowth = 64L * TestData.MiB;

    [Fact]
    public async Task A_200_MiB_object_round_trips_byte_for_byte_in_bounded_memory()
    {
        var options = server.Options(await server.CreateBucketAsync());
        using var store = new S3ObjectStore(options);
        var expectedSha256 = await Sha256Async(new GeneratedStream(ObjectSize, seed: 40));
        await store.PutAsync("warm-up", new MemoryStream(TestData.Bytes(1000, seed: 41)));

        var baseline = PeakWorkingSet.Settled();
        ObjectInfo stored;
        using (var upload = new PeakWorkingSet())
        {
            stored = await store.PutAsync("big/object.bin", new GeneratedStream(ObjectSize, seed: 40));
            output.WriteLine($"upload: resident memory grew by at most {(upload.Peak - baseline) / TestData.MiB} MiB");
            Assert.InRange(upload.Peak - baseline, long.MinValue, MaxGrowth);
        }

        Assert.Equal(ObjectSize, stored.Size);
        Assert.Equal(expectedSha256, stored.Sha256);
        Assert.Equal(ObjectSize, (await store.HeadAsync("big/object.bin")).Size);
        baseline = PeakWorkingSet.Settled();
        using (var download = new PeakWorkingSet())
        {
            await using var read = await store.OpenReadAsync("big/object.bin");
            await AssertSameBytesAsync(new GeneratedStream(ObjectSize, seed: 40), read);
            output.WriteLine($"download: resident memory grew by at most {(download.Peak - baseline) / TestData.MiB} MiB");
            Assert.InRange(download.Peak - baseline, long.MinValue, MaxGrowth);
        }
    }

    private static async Task<string> Sha256Async(Stream source)
    {
        using var hash = SHA256.Create();
        return Convert.ToHexStringLower(await hash.ComputeHashAsync(source));
    }

    /// <summary>Compares the two streams chunk by chunk, naming the first offset where they differ.</summary>
    private static async Task AssertSameBytesAsync(Stream expected, Stream actual)
    {
        var want = new byte[TestData.MiB];
        var got = new byte[TestData.MiB];
        long offset = 0;
        while (true)
        {
            var wanted = await FillAsync(expected, want);
            var gotten = await FillAsync(actual, got);
            var mismatch = want.AsSpan(0, Math.Min(wanted, gotten)).CommonPrefixLength(got.AsSpan(0, Math.Min(wanted, gotten)));
            Assert.True(mismatch == Math.Min(wanted, gotten), $"The bytes differ at offset {offset + mismatch}.");
            Assert.True(wanted == gotten, $"The object ends at {offset + gotten}, {ObjectSize} bytes were written.");
            if (wanted == 0)
            {
                return;
            }
            offset += wanted;
        }
    }

    private static async Task<int> FillAsync(Stream source, byte[] buffer)
    {
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await source.ReadAsync(buffer.AsMemory(filled))) > 0)
        {
            filled += read;
        }
        return filled;
    }
}
