using System.Diagnostics;
using Amazon.S3;
using Amazon.S3.Model;
using Xunit;

namespace Cauchy.Storage.Tests.Support;

/// <summary>
/// One s3rver (npm, tests/storage-node) per test collection, on 127.0.0.1 on a port the OS picks, storing
/// into a temporary folder. Each test gets a bucket of its own, so tests never see each other's objects.
/// </summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    // s3rver's built-in credentials; it checks signatures, so the SDK must sign with exactly these.
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"cauchy-s3rver-{Guid.NewGuid():N}");
    private Process? _server;

    public string ServiceUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var nodeProject = Path.Combine(RepositoryRoot.Find(), "tests", "storage-node");
        if (!File.Exists(Path.Combine(nodeProject, "node_modules", "s3rver", "package.json")))
        {
            throw new InvalidOperationException(
                $"s3rver is not installed in {Path.Combine(nodeProject, "node_modules")}: run `make deps` (npm ci in tests/storage-node) before the tests.");
        }
        Directory.CreateDirectory(_dataDirectory);
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = nodeProject,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // s3rver encrypts listing continuation tokens with DES, which OpenSSL 3 only offers through its legacy provider.
        start.ArgumentList.Add("--openssl-legacy-provider");
        start.ArgumentList.Add("server.js");
        start.ArgumentList.Add(_dataDirectory);
        try
        {
            _server = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"node could not be started ({exception.Message}): install Node.js and run `make deps`.", exception);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await _server.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal))
        {
            var error = await _server.StandardError.ReadToEndAsync(timeout.Token);
            throw new InvalidOperationException($"s3rver did not start: {line} {error}");
        }
        ServiceUrl = $"http://127.0.0.1:{int.Parse(line["listening ".Length..])}";
    }

    public S3StoreOptions Options(string bucket) => new()
    {
        ServiceUrl = ServiceUrl,
        Bucket = bucket,
        AccessKey = AccessKey,
        SecretKey = SecretKey,
        PartSizeBytes = 5 * TestData.MiB,
        // Small pages make every listing test cross page boundaries.
        ListPageSize = 2,
        MaxRetries = 3,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
    };

    /// <summary>A client for s3rver; <paramref name="handler"/> sees (and may fail) every request.</summary>
    public AmazonS3Client Client(S3StoreOptions options, HttpMessageHandler? handler = null)
    {
        var config = S3ObjectStore.CreateClientConfig(options);
        if (handler is not null)
        {
            config.HttpClientFactory = new HandlerHttpClientFactory(handler);
        }
        return new AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    /// <summary>Creates a fresh bucket through the SDK and returns its name.</summary>
    public async Task<string> CreateBucketAsync()
    {
        var bucket = $"t{Guid.NewGuid():N}";
        using var client = Client(Options(bucket));
        await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
        return bucket;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            // Closing stdin asks server.js to stop; a server that does not is killed.
            _server.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _server.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _server.Kill(entireProcessTree: true);
            }
            _server.Dispose();
        }
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
