using System.Diagnostics;
using System.Globalization;
using Cauchy.Storage;
using Cauchy.Testing;

namespace Cauchy.Reliability.Tests;

/// <summary>
/// s3rver (tests/storage-node/server.js, as in <see cref="S3rverFixture"/>) on a fixed loopback port with a fixed data
/// folder, so that it can be stopped and started again at the same address with the same objects: the services keep
/// their configured endpoint across the outage, as they would with a MinIO pod that restarts.
/// </summary>
public sealed class RestartableS3Server : IAsyncDisposable
{
    public const string Bucket = "cauchy";

    private readonly string _dataDirectory = TempDirectory.Create("cauchy-reliability-s3");
    private Process? _server;

    public int Port { get; } = FreePort.OutsideEphemeralRange();

    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    /// <summary>CAUCHY_STORAGE__* for a service process, with a retry budget that outlasts a short outage of the server.</summary>
    public Dictionary<string, string> Environment() => new()
    {
        ["CAUCHY_STORAGE__KIND"] = "s3",
        ["CAUCHY_STORAGE__S3__SERVICEURL"] = ServiceUrl,
        ["CAUCHY_STORAGE__S3__BUCKET"] = Bucket,
        ["CAUCHY_STORAGE__S3__ACCESSKEY"] = S3rverFixture.AccessKey,
        ["CAUCHY_STORAGE__S3__SECRETKEY"] = S3rverFixture.SecretKey,
        ["CAUCHY_STORAGE__S3__MAXRETRIES"] = "10",
        ["CAUCHY_STORAGE__S3__RETRYBASEDELAY"] = "00:00:00.500",
    };

    /// <summary>A store on the bucket for the test's own reads (no retries: the test reads a server that is up).</summary>
    public S3ObjectStore OpenStore() => new(new S3StoreOptions
    {
        ServiceUrl = ServiceUrl,
        Bucket = Bucket,
        AccessKey = S3rverFixture.AccessKey,
        SecretKey = S3rverFixture.SecretKey,
    });

    public bool IsRunning => _server is { HasExited: false };

    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("the S3 server is already running");
        }

        var nodeProject = Path.Combine(RepositoryRoot.Find(), "tests", "storage-node");
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = nodeProject,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--openssl-legacy-provider");
        start.ArgumentList.Add("server.js");
        start.ArgumentList.Add(_dataDirectory);
        start.Environment["S3RVER_ADDRESS"] = "127.0.0.1";
        start.Environment["S3RVER_PORT"] = Port.ToString(CultureInfo.InvariantCulture);
        start.Environment["S3RVER_BUCKETS"] = Bucket;
        _server = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        // In the foreground mode s3rver logs before it listens (e.g. about the bucket it finds): skip to the line that counts.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<string>();
        while (true)
        {
            string? line = await _server.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                string error = await _server.StandardError.ReadToEndAsync(timeout.Token);
                throw new InvalidOperationException($"s3rver did not start on port {Port}: {string.Join('\n', seen)}\n{error}");
            }

            if (line.StartsWith("listening ", StringComparison.Ordinal))
            {
                break;
            }

            seen.Add(line);
        }

        // In the foreground mode server.js logs every request: keep draining so it never blocks on a full pipe.
        _ = _server.StandardOutput.ReadToEndAsync();
        _ = _server.StandardError.ReadToEndAsync();
    }

    /// <summary>Stops the server: SIGTERM (requests in flight may finish), then kill after a few seconds.</summary>
    public async Task StopAsync()
    {
        if (_server is null)
        {
            return;
        }

        if (!_server.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _server.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                await _server.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _server.Kill(entireProcessTree: true);
                await _server.WaitForExitAsync();
            }
        }

        _server.Dispose();
        _server = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        TempDirectory.Delete(_dataDirectory);
    }
}
