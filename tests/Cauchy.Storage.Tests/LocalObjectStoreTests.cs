using Cauchy.Storage.Tests.Support;
using Xunit;

namespace Cauchy.Storage.Tests;

/// <summary>The shared behaviour suite against the local directory store, plus what only a directory has: leftovers of crashed writes.</summary>
public sealed class LocalObjectStoreTests : ObjectStoreBehaviour
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"cauchy-local-store-{Guid.NewGuid():N}");

    protected override bool HeadKnowsSha256OfPlainKeys => false;

    protected override bool ServerCommitIsAtomic => true;

    private string TemporaryFolder => Path.Combine(_root, ".tmp");

    protected override Task<IObjectStore> CreateStoreAsync() =>
        Task.FromResult<IObjectStore>(new LocalObjectStore(new LocalStoreOptions { Root = _root }));

    protected override void AssertNoWriteLeftovers() => Assert.Empty(Directory.GetFiles(TemporaryFolder));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Leftovers_of_a_crashed_write_are_swept_on_start_up_and_never_listed()
    {
        await Store.PutAsync("kept", new MemoryStream([1, 2, 3]));
        // What a process killed in the middle of a write leaves behind: a partial temporary file.
        var crashed = Path.Combine(TemporaryFolder, "0123456789abcdef.part");
        await File.WriteAllBytesAsync(crashed, TestData.Bytes(1000, seed: 20));
        File.SetLastWriteTimeUtc(crashed, DateTime.UtcNow.AddHours(-2));
        var inProgress = Path.Combine(TemporaryFolder, "fedcba9876543210.part");
        await File.WriteAllBytesAsync(inProgress, [4, 5]);

        Assert.Equal(["kept"], (await ListAsync("")).Select(o => o.Key));
        var reopened = new LocalObjectStore(new LocalStoreOptions { Root = _root });

        Assert.False(File.Exists(crashed));
        Assert.True(File.Exists(inProgress), "a young temporary file may belong to a write in progress in another process");
        Assert.Equal(1, reopened.SweepTemporaryFiles(TimeSpan.Zero));
        Assert.Empty(Directory.GetFiles(TemporaryFolder));
        Assert.Equal([1, 2, 3], await ReadAsync("kept", 0, null));
    }

    [Fact]
    public async Task Listing_is_in_ordinal_key_order_even_where_folder_order_differs()
    {
        // '-' sorts before '/', so "a-c/7" comes before "a/1" although folder "a" is listed before "a-c".
        foreach (var key in new[] { "a/1", "a-c/7", "a/b/4", "a.b", "ab/5" })
        {
            await Store.PutAsync(key, new MemoryStream([1]));
        }

        Assert.Equal(["a-c/7", "a.b", "a/1", "a/b/4", "ab/5"], (await ListAsync("a")).Select(o => o.Key));
    }

    [Fact]
    public async Task A_failed_write_leaves_no_temporary_file()
    {
        await Assert.ThrowsAsync<IOException>(() => Store.PutAsync("failed", new FailingStream(3 * TestData.MiB)));
        await Assert.ThrowsAsync<IOException>(() => Store.PutContentAddressedAsync(new FailingStream(1000)));

        Assert.Empty(Directory.GetFiles(TemporaryFolder));
        Assert.Empty(await ListAsync(""));
    }

    [Fact]
    public async Task Objects_are_plain_files_under_the_root_and_keys_cannot_reach_outside_it()
    {
        var outside = Path.Combine(Path.GetDirectoryName(_root)!, $"cauchy-outside-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(outside, "do not touch");
        try
        {
            await Store.PutAsync("nested/deeper/file.bin", new MemoryStream([9, 8, 7]));
            Assert.Equal([9, 8, 7], await File.ReadAllBytesAsync(Path.Combine(_root, "nested", "deeper", "file.bin")));

            var relative = "../" + Path.GetFileName(outside);
            await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(relative, new MemoryStream([1])));
            await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync(relative));
            await Assert.ThrowsAsync<ArgumentException>(() => Store.OpenReadAsync(relative));
            Assert.Equal("do not touch", await File.ReadAllTextAsync(outside));
        }
        finally
        {
            File.Delete(outside);
        }
    }
}
