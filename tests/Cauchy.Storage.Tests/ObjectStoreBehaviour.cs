using System.Security.Cryptography;
using Cauchy.Storage.Tests.Support;
using Xunit;

namespace Cauchy.Storage.Tests;

/// <summary>
/// What every <see cref="IObjectStore"/> promises. Each store's test class inherits these tests, so the local
/// store and the S3 store (against s3rver) are held to exactly the same behaviour. Contents are compared byte
/// for byte: a wrong body with the right length must fail.
/// </summary>
public abstract class ObjectStoreBehaviour : IAsyncLifetime
{
    protected IObjectStore Store { get; private set; } = null!;

    /// <summary>Whether a plain (not content-addressed) key's head reports the sha256 of what was written.</summary>
    protected abstract bool HeadKnowsSha256OfPlainKeys { get; }

    /// <summary>
    /// Whether the server itself commits atomically. s3rver writes the final file in place (real S3 and MinIO
    /// do not), so against it only what this library controls is checked: nothing changes under the key while
    /// the source is still being read.
    /// </summary>
    protected abstract bool ServerCommitIsAtomic { get; }

    protected abstract Task<IObjectStore> CreateStoreAsync();

    /// <summary>Fails if a failed or cancelled write left anything behind: temporary files, open uploads.</summary>
    protected abstract void AssertNoWriteLeftovers();

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public virtual Task DisposeAsync()
    {
        (Store as IDisposable)?.Dispose();
        return Task.CompletedTask;
    }

    public static TheoryData<string> InvalidKeys() =>
        ["", "/etc/passwd", "../outside", "a/../../outside", "a/..", "a\\b", "a//b", "a/./b", "a/", "./a", ".tmp/x", "C:/x", "a\u0000b"];

    [Fact]
    public async Task Small_object_round_trips_byte_for_byte()
    {
        var data = TestData.Bytes(1000, seed: 1);
        var stored = await Store.PutAsync("small/object.bin", new MemoryStream(data));

        Assert.Equal(1000, stored.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), stored.Sha256);
        await using var read = await Store.OpenReadAsync("small/object.bin");
        Assert.Equal(data, await TestData.ReadAllAsync(read));
    }

    [Fact]
    public async Task Empty_object_round_trips()
    {
        var stored = await Store.PutAsync("empty", new MemoryStream());

        Assert.Equal(0, stored.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Array.Empty<byte>())), stored.Sha256);
        Assert.Equal(0, (await Store.HeadAsync("empty")).Size);
        await using var read = await Store.OpenReadAsync("empty");
        Assert.Empty(await TestData.ReadAllAsync(read));
    }

    [Fact]
    public async Task Twenty_MiB_object_from_a_non_seekable_stream_round_trips_through_multipart()
    {
        var data = TestData.Bytes(20 * TestData.MiB, seed: 2);
        var source = new SlowStream(data, chunkSize: TestData.MiB, pause: TimeSpan.Zero);

        var stored = await Store.PutAsync("large/object.bin", source);

        Assert.Equal(data.Length, stored.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), stored.Sha256);
        Assert.Equal(data.Length, (await Store.HeadAsync("large/object.bin")).Size);
        await using var read = await Store.OpenReadAsync("large/object.bin");
        Assert.Equal(data, await TestData.ReadAllAsync(read));
    }

    [Fact]
    public async Task Ranged_reads_return_exactly_the_requested_bytes()
    {
        var data = TestData.Bytes(100_000, seed: 3);
        await Store.PutAsync("ranged", new MemoryStream(data));

        Assert.Equal(data[40_000..], await ReadAsync("ranged", 40_000, null));
        Assert.Equal(data[12_345..12_445], await ReadAsync("ranged", 12_345, 100));
        Assert.Equal(data[..1], await ReadAsync("ranged", 0, 1));
        Assert.Equal(data[99_990..], await ReadAsync("ranged", 99_990, 1000));
        Assert.Empty(await ReadAsync("ranged", 100_000, null));
        Assert.Empty(await ReadAsync("ranged", 500, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.OpenReadAsync("ranged", 100_001));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.OpenReadAsync("ranged", -1));
    }

    [Fact]
    public async Task Put_replaces_an_existing_object()
    {
        await Store.PutAsync("replaced", new MemoryStream(TestData.Bytes(5000, seed: 4)));
        var second = TestData.Bytes(300, seed: 5);
        await Store.PutAsync("replaced", new MemoryStream(second));

        Assert.Equal(second, await ReadAsync("replaced", 0, null));
        Assert.Equal(300, (await Store.HeadAsync("replaced")).Size);
    }

    [Fact]
    public async Task Content_addressing_stores_identical_content_once()
    {
        var data = TestData.Bytes(3 * TestData.MiB + 17, seed: 6);
        var expectedKey = "sha256/" + Convert.ToHexStringLower(SHA256.HashData(data));

        var first = await Store.PutContentAddressedAsync(new MemoryStream(data));
        var second = await Store.PutContentAddressedAsync(new SlowStream(data, 64 * 1024, TimeSpan.Zero));
        var other = await Store.PutContentAddressedAsync(new MemoryStream(TestData.Bytes(10, seed: 7)));

        Assert.Equal(expectedKey, first.Key);
        Assert.Equal(expectedKey, second.Key);
        Assert.NotEqual(expectedKey, other.Key);
        Assert.Equal(expectedKey["sha256/".Length..], first.Sha256);
        Assert.Equal(data.Length, second.Size);
        var listed = await ListAsync("sha256/");
        Assert.Equal(new[] { expectedKey, other.Key }.Order(StringComparer.Ordinal), listed.Select(o => o.Key));
        var head = await Store.HeadAsync(expectedKey);
        Assert.Equal(first.Sha256, head.Sha256);
        Assert.Equal(data.Length, head.Size);
        Assert.Equal(data, await ReadAsync(expectedKey, 0, null));
    }

    [Fact]
    public async Task Listing_filters_by_prefix_in_key_order_across_pages()
    {
        // No key sorts between "a" and "a/" here ("a-c" would): s3rver pages in folder-walk order, not S3's
        // ordinal order, and drops such keys across page boundaries. The local store's test covers that case.
        string[] keys = ["b/6", "a/2", "a/b/4", "ab/5", "a/1", "a/3", "ac/7"];
        foreach (var key in keys)
        {
            await Store.PutAsync(key, new MemoryStream(new byte[key.Length]));
        }

        Assert.Equal(["a/1", "a/2", "a/3", "a/b/4"], (await ListAsync("a/")).Select(o => o.Key));
        Assert.Equal(["a/1", "a/2", "a/3", "a/b/4", "ab/5", "ac/7"], (await ListAsync("a")).Select(o => o.Key));
        Assert.Equal(["a/b/4"], (await ListAsync("a/b")).Select(o => o.Key));
        Assert.Equal(keys.Order(StringComparer.Ordinal), (await ListAsync("")).Select(o => o.Key));
        Assert.Empty(await ListAsync("c/"));
        Assert.Empty(await ListAsync("nothing/here/"));
        var listed = await ListAsync("");
        Assert.All(listed, o => Assert.Equal(o.Key.Length, o.Size));
        Assert.All(listed, o => Assert.InRange(o.LastModified, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5)));
    }

    [Fact]
    public async Task Head_reports_size_sha256_and_last_modified()
    {
        var data = TestData.Bytes(4321, seed: 8);
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        await Store.PutAsync("dir/headed", new MemoryStream(data));

        var head = await Store.HeadAsync("dir/headed");

        Assert.Equal("dir/headed", head.Key);
        Assert.Equal(4321, head.Size);
        Assert.InRange(head.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(1));
        if (HeadKnowsSha256OfPlainKeys)
        {
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), head.Sha256);
        }
        else
        {
            Assert.Null(head.Sha256);
        }
        Assert.True(await Store.ExistsAsync("dir/headed"));
        Assert.False(await Store.ExistsAsync("dir"));
    }

    [Fact]
    public async Task Delete_is_idempotent()
    {
        await Store.PutAsync("to/delete", new MemoryStream([1, 2, 3]));

        await Store.DeleteAsync("to/delete");
        Assert.False(await Store.ExistsAsync("to/delete"));
        await Store.DeleteAsync("to/delete");
        await Store.DeleteAsync("never/existed");
        Assert.Empty(await ListAsync("to/"));
    }

    [Fact]
    public async Task Missing_object_raises_ObjectNotFoundException_naming_the_key()
    {
        var read = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync("missing/object"));
        var ranged = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync("missing/object", 10, 5));
        var head = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.HeadAsync("missing/object"));

        foreach (var exception in new[] { read, ranged, head })
        {
            Assert.Equal("missing/object", exception.Key);
            Assert.Contains("'missing/object'", exception.Message);
        }
        Assert.False(await Store.ExistsAsync("missing/object"));
    }

    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public async Task Invalid_keys_are_rejected_naming_the_key(string key)
    {
        var put = await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(key, new MemoryStream([1])));
        var read = await Assert.ThrowsAsync<ArgumentException>(() => Store.OpenReadAsync(key));
        var head = await Assert.ThrowsAsync<ArgumentException>(() => Store.HeadAsync(key));
        var exists = await Assert.ThrowsAsync<ArgumentException>(() => Store.ExistsAsync(key));
        var delete = await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync(key));

        foreach (var exception in new[] { put, read, head, exists, delete })
        {
            Assert.Contains($"'{key}'", exception.Message);
        }
        Assert.Empty(await ListAsync(""));
    }

    [Fact]
    public async Task Listing_rejects_a_prefix_that_climbs_out()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => ListAsync("../"));
        await Assert.ThrowsAsync<ArgumentException>(() => ListAsync("/abs"));
    }

    [Fact]
    public async Task A_reader_polling_during_a_slow_write_sees_only_whole_objects()
    {
        var previous = TestData.Bytes(6 * TestData.MiB, seed: 9);
        var next = TestData.Bytes(6 * TestData.MiB, seed: 10);
        await Store.PutAsync("atomic/object", new MemoryStream(previous));
        var source = new SlowStream(next, chunkSize: 256 * 1024, pause: TimeSpan.FromMilliseconds(15));

        var write = Store.PutAsync("atomic/object", source);
        int sawPrevious = 0, sawNext = 0;
        while (!write.IsCompleted)
        {
            byte[] seen;
            try
            {
                seen = await ReadAsync("atomic/object", 0, null);
            }
            catch (Exception) when (!ServerCommitIsAtomic && source.Finished)
            {
                // The server may be rewriting its file in place now; see ServerCommitIsAtomic.
                continue;
            }
            if (!ServerCommitIsAtomic && source.Finished)
            {
                continue;
            }
            if (seen.AsSpan().SequenceEqual(previous))
            {
                sawPrevious++;
            }
            else if (seen.AsSpan().SequenceEqual(next))
            {
                sawNext++;
            }
            else
            {
                Assert.Fail($"A reader saw {seen.Length} bytes that are neither the previous nor the new object.");
            }
        }
        await write;

        Assert.True(sawPrevious > 0, "the reader never polled while the write was in progress");
        Assert.Equal(next, await ReadAsync("atomic/object", 0, null));
    }

    [Fact]
    public async Task A_write_whose_source_fails_leaves_the_previous_object_intact()
    {
        var previous = TestData.Bytes(1000, seed: 11);
        await Store.PutAsync("survivor", new MemoryStream(previous));

        await Assert.ThrowsAsync<IOException>(() => Store.PutAsync("survivor", new FailingStream(7 * TestData.MiB)));
        await Assert.ThrowsAsync<IOException>(() => Store.PutAsync("never/written", new FailingStream(1000)));

        Assert.Equal(previous, await ReadAsync("survivor", 0, null));
        Assert.False(await Store.ExistsAsync("never/written"));
        Assert.Equal(["survivor"], (await ListAsync("")).Select(o => o.Key));
        AssertNoWriteLeftovers();
    }

    [Fact]
    public async Task A_cancelled_write_stores_nothing_and_leaves_nothing_behind()
    {
        var source = new SlowStream(TestData.Bytes(12 * TestData.MiB, seed: 12), TestData.MiB, TimeSpan.FromMilliseconds(40));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(350));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.PutAsync("cancelled", source, cancellation.Token));

        Assert.False(source.Finished);
        Assert.False(await Store.ExistsAsync("cancelled"));
        AssertNoWriteLeftovers();
    }

    protected async Task<byte[]> ReadAsync(string key, long offset, long? length)
    {
        await using var stream = await Store.OpenReadAsync(key, offset, length);
        return await TestData.ReadAllAsync(stream);
    }

    protected async Task<List<ObjectInfo>> ListAsync(string prefix)
    {
        var list = new List<ObjectInfo>();
        await foreach (var info in Store.ListAsync(prefix))
        {
            list.Add(info);
        }
        return list;
    }
}
