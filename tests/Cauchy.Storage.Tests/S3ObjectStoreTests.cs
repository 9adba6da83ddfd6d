using System.Net;
using Cauchy.Storage.Tests.Support;
using Cauchy.Testing;
using Xunit;

namespace Cauchy.Storage.Tests;

/// <summary>
/// The shared behaviour suite against the S3 store talking to a real s3rver on loopback (5 MiB parts, pages
/// of two keys), plus the S3-only mechanics: multipart requests, aborts and retries, seen through a handler
/// that records every request and can inject failures.
/// </summary>
[Collection(S3rverCollection.Name)]
public sealed class S3ObjectStoreTests(S3rverFixture server) : ObjectStoreBehaviour
{
    private readonly FaultInjectingHandler _handler = new();

    protected override bool HeadKnowsSha256OfPlainKeys => true;

    protected override bool ServerCommitIsAtomic => false;

    protected override async Task<IObjectStore> CreateStoreAsync()
    {
        var options = server.TestOptions(await server.CreateBucketAsync());
        return new S3ObjectStore(options, transport: _handler);
    }

    // Every multipart upload that was started and not completed must have been aborted.
    protected override void AssertNoWriteLeftovers() =>
        Assert.Equal(_handler.Count("POST", "?uploads") - _handler.Count("POST", "uploadId="), _handler.Count("DELETE", "uploadId="));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _handler.Dispose();
    }

    [Fact]
    public async Task Large_objects_go_up_in_parts_of_the_configured_size()
    {
        var data = TestData.Bytes(20 * TestData.MiB + 1000, seed: 30);

        await Store.PutAsync("parts", new MemoryStream(data));

        Assert.Equal(1, _handler.Count("POST", "?uploads"));
        Assert.Equal(5, _handler.Count("PUT", "partNumber="));
        Assert.Equal(1, _handler.Count("POST", "uploadId="));
        Assert.DoesNotContain(_handler.Requests, r => r.StartsWith("PUT ", StringComparison.Ordinal) && r.EndsWith("/parts", StringComparison.Ordinal));
        Assert.Equal(data, await ReadAsync("parts", 0, null));
    }

    [Fact]
    public async Task Small_objects_go_up_in_one_put()
    {
        await Store.PutAsync("single", new MemoryStream(TestData.Bytes(5 * TestData.MiB - 1, seed: 31)));

        Assert.Equal(0, _handler.Count("POST", "?uploads"));
        Assert.Single(_handler.Requests, r => r.StartsWith("PUT ", StringComparison.Ordinal) && r.EndsWith("/single", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Listing_is_fetched_page_by_page()
    {
        // The client asks for S3's maximum page, 1000 keys, whatever ListPageSize says: 1001 keys take two pages.
        await Parallel.ForAsync(0, 1001, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, token) => await Store.PutAsync($"page/{i:D4}", new MemoryStream([(byte)i]), token));

        var listed = await ListAsync("page/");

        Assert.Equal(Enumerable.Range(0, 1001).Select(i => $"page/{i:D4}"), listed.Select(o => o.Key));
        Assert.Equal(2, _handler.Count("GET", "list-type=2"));
    }

    [Fact]
    public async Task Transient_failures_of_a_part_are_retried_even_from_a_non_seekable_source()
    {
        var data = TestData.Bytes(11 * TestData.MiB, seed: 32);
        _handler.FailNext(r => r.RequestUri!.Query.Contains("partNumber=2"), HttpStatusCode.ServiceUnavailable, HttpStatusCode.InternalServerError, 0);

        await Store.PutAsync("retried", new SlowStream(data, TestData.MiB, TimeSpan.Zero));

        Assert.Equal(3 + 3, _handler.Count("PUT", "partNumber="));
        Assert.Equal(data, await ReadAsync("retried", 0, null));
    }

    [Fact]
    public async Task Transient_failures_of_reads_are_retried()
    {
        var data = TestData.Bytes(2000, seed: 33);
        await Store.PutAsync("read/retried", new MemoryStream(data));
        _handler.FailNext(r => r.Method == HttpMethod.Get, HttpStatusCode.ServiceUnavailable, 0);

        Assert.Equal(data, await ReadAsync("read/retried", 0, null));
        Assert.Equal(3, _handler.Count("GET", "/read/retried"));
    }

    [Fact]
    public async Task Client_errors_are_not_retried()
    {
        _handler.FailNext(r => r.Method == HttpMethod.Put, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden);

        var error = await Assert.ThrowsAsync<S3RequestException>(() => Store.PutAsync("denied", new MemoryStream([1, 2])));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal(1, _handler.Count("PUT", "/denied"));
    }

    [Fact]
    public async Task Persistent_server_errors_give_up_after_the_configured_retries()
    {
        _handler.FailNext(r => r.Method == HttpMethod.Put, Enumerable.Repeat(HttpStatusCode.ServiceUnavailable, 10).ToArray());

        var error = await Assert.ThrowsAsync<S3RequestException>(() => Store.PutAsync("unavailable", new MemoryStream([1])));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(1 + 3, _handler.Count("PUT", "/unavailable"));
    }

    [Fact]
    public async Task A_multipart_upload_whose_source_fails_is_aborted()
    {
        await Assert.ThrowsAsync<IOException>(() => Store.PutAsync("aborted", new FailingStream(7 * TestData.MiB)));

        Assert.Equal(1, _handler.Count("POST", "?uploads"));
        Assert.Equal(1, _handler.Count("PUT", "partNumber=1"));
        Assert.Equal(1, _handler.Count("DELETE", "uploadId="));
        Assert.False(await Store.ExistsAsync("aborted"));
    }
}
