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
    private S3StoreOptions _options = null!;

    protected override bool HeadKnowsSha256OfPlainKeys => true;

    protected override bool ServerCommitIsAtomic => false;

    protected override async Task<IObjectStore> CreateStoreAsync()
    {
        _options = server.TestOptions(await server.CreateBucketAsync());
        return new S3ObjectStore(_options, transport: _handler);
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

    [Fact]
    public async Task Transient_failures_of_heads_are_retried_although_their_answers_have_no_body()
    {
        await Store.PutAsync("head/retried", new MemoryStream([1, 2, 3]));
        _handler.FailNext(r => r.Method == HttpMethod.Head && r.RequestUri!.AbsolutePath.EndsWith("/head/retried", StringComparison.Ordinal),
            HttpStatusCode.ServiceUnavailable, HttpStatusCode.InternalServerError);

        Assert.Equal(3, (await Store.HeadAsync("head/retried")).Size);
        Assert.Equal(3, _handler.Count("HEAD", "/head/retried"));
    }

    [Fact]
    public async Task Transient_failures_of_ranged_reads_are_retried()
    {
        var data = TestData.Bytes(100_000, seed: 34);
        await Store.PutAsync("ranged/retried", new MemoryStream(data));
        _handler.FailNext(r => r.Method == HttpMethod.Get && r.Headers.Range is not null, HttpStatusCode.ServiceUnavailable, 0);

        Assert.Equal(data[1000..3000], await ReadAsync("ranged/retried", 1000, 2000));
        Assert.Equal(3, _handler.Count("GET", "/ranged/retried"));
    }

    [Fact]
    public async Task A_refused_part_fails_the_write_with_the_servers_answer_and_aborts_the_upload()
    {
        _handler.FailNext(r => r.RequestUri!.Query.Contains("partNumber=2"), HttpStatusCode.Forbidden);

        var error = await Assert.ThrowsAsync<S3RequestException>(() => Store.PutAsync("refused", new MemoryStream(TestData.Bytes(11 * TestData.MiB, seed: 35))));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Equal(1, _handler.Count("PUT", "partNumber=2"));
        Assert.Equal(1, _handler.Count("DELETE", "uploadId="));
        Assert.False(await Store.ExistsAsync("refused"));
    }

    [Fact]
    public async Task A_missing_bucket_is_reported_as_such_by_every_operation()
    {
        var bucket = $"missing{Guid.NewGuid():N}";
        using var store = new S3ObjectStore(server.TestOptions(bucket), transport: _handler);

        var failures = new[]
        {
            await Assert.ThrowsAsync<S3RequestException>(() => store.PutAsync("k", new MemoryStream([1]))),
            await Assert.ThrowsAsync<S3RequestException>(() => store.PutAsync("k", new MemoryStream(TestData.Bytes(6 * TestData.MiB, seed: 36)))),
            await Assert.ThrowsAsync<S3RequestException>(() => store.OpenReadAsync("k")),
            await Assert.ThrowsAsync<S3RequestException>(() => store.OpenReadAsync("k", 1, 1)),
            await Assert.ThrowsAsync<S3RequestException>(() => store.HeadAsync("k")),
            await Assert.ThrowsAsync<S3RequestException>(() => store.ExistsAsync("k")),
            await Assert.ThrowsAsync<S3RequestException>(async () => await store.ListAsync("").ToListAsync()),
            await Assert.ThrowsAsync<S3RequestException>(() => store.DeleteAsync("k")),
        };

        Assert.All(failures, failure =>
        {
            Assert.True(failure.IsMissingBucket, failure.Message);
            Assert.Equal(HttpStatusCode.NotFound, failure.StatusCode);
            Assert.Contains($"Bucket '{bucket}' does not exist", failure.Message);
            Assert.Contains("Storage:S3:Bucket", failure.Message);
        });
    }

    [Fact]
    public async Task Wrong_credentials_are_reported_without_revealing_the_secret_and_are_not_retried()
    {
        const string wrongSecret = "not-the-secret-s3rver-knows";
        await Store.PutAsync("k", new MemoryStream([1]));
        // s3rver checks the access key but not version 4 signatures, so a wrong key stands for wrong credentials here.
        using var store = new S3ObjectStore(_options with { AccessKey = "NOT-S3RVER", SecretKey = wrongSecret }, transport: _handler);

        var put = await Assert.ThrowsAsync<S3RequestException>(() => store.PutAsync("denied", new MemoryStream([1])));
        var read = await Assert.ThrowsAsync<S3RequestException>(() => store.OpenReadAsync("k"));
        var head = await Assert.ThrowsAsync<S3RequestException>(() => store.HeadAsync("k"));

        Assert.True(put.IsBadCredentials, put.Message);
        Assert.Contains("Storage:S3:AccessKey and Storage:S3:SecretKey", put.Message);
        Assert.All(new[] { put, read, head }, failure =>
        {
            Assert.Equal(HttpStatusCode.Forbidden, failure.StatusCode);
            Assert.Contains("credentials", failure.Message);
            Assert.DoesNotContain(wrongSecret, failure.Message);
        });
        Assert.Equal(1, _handler.Count("PUT", "/denied"));
    }
}
