using System.Diagnostics;
using Cauchy.Storage;
using Minio;
using Minio.DataModel.Args;
using Xunit;

namespace Cauchy.Testing;

/// <summary>
/// One s3rver (npm, tests/storage-node, installed by `make deps`) per test collection, on 127.0.0.1 on a port the OS
/// picks, storing into a temporary folder. <see cref="CreateBucketAsync"/> gives each test (or service under test) a
/// bucket of its own. See services/shared/Cauchy.Storage/README.md for s3rver's quirks.
/// </summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    public const string CollectionName = "s3rver";

    // s3rver's built-in credentials: it refuses other access keys (it does not verify version 4 signatures).
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
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var line = await _server.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal))
        {
            var error = await _server.StandardError.ReadToEndAsync(timeout.Token);
            throw new InvalidOperationException($"s3rver did not start: {line} {error}");
        }
        ServiceUrl = $"http://127.0.0.1:{int.Parse(line["listening ".Length..], System.Globalization.CultureInfo.InvariantCulture)}";
        // Keep draining s3rver's output so a chatty server never blocks on a full pipe.
        _ = _server.StandardOutput.ReadToEndAsync();
        _ = _server.StandardError.ReadToEndAsync();
    }

    /// <summary>Store options for <paramref name="bucket"/> on this server.</summary>
    public S3StoreOptions Options(string bucket) => new()
    {
        ServiceUrl = ServiceUrl,
        Bucket = bucket,
        AccessKey = AccessKey,
        SecretKey = SecretKey,
    };

    /// <summary>
    /// The same as configuration for a service process: CAUCHY_STORAGE__* environment variables for <paramref name="bucket"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment(string bucket) => new Dictionary<string, string>
    {
        ["CAUCHY_STORAGE__KIND"] = "s3",
        ["CAUCHY_STORAGE__S3__SERVICEURL"] = ServiceUrl,
        ["CAUCHY_STORAGE__S3__BUCKET"] = bucket,
        ["CAUCHY_STORAGE__S3__ACCESSKEY"] = AccessKey,
        ["CAUCHY_STORAGE__S3__SECRETKEY"] = SecretKey,
    };

    /// <summary>Creates a fresh bucket and returns its name.</summary>
    public async Task<string> CreateBucketAsync()
    {
        var bucket = $"t{Guid.NewGuid():N}";
        using var client = new MinioClient()
            .WithEndpoint(new Uri(ServiceUrl).Authority)
            .WithSSL(false)
            .WithCredentials(AccessKey, SecretKey)
            .Build();
        await client.MakeBucketAsync(new MakeBucketArgs().WithBucket(bucket));
        return bucket;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            // Closing stdin asks server.js to stop; a server that does not is killed.
            _server.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
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
        TempDirectory.Delete(_dataDirectory);
    }
}
