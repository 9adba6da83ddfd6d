using System.Text.Json;
using Cauchy.Testing;
using Cauchy.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;
using Xunit;
using static Cauchy.Orchestrator.Tests.JobsServiceTests;

namespace Cauchy.Orchestrator.Tests;

/// <summary>
/// The orchestrator's console log is safe to ship, in both formats: hostile input sent through real gRPC calls (NUL,
/// ESC sequences, CR/LF that would forge a log line) reaches it escaped; a client error is one line without a stack
/// trace; a server fault keeps its stack trace but without the build's folders; and the database password in the
/// connection string and the bearer token the calls carry are never printed.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class LogSafetyTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Forged = "FORGED-LOG-LINE";
    private static readonly string Hostile = $"evil\0\u001b[2J\u001b]0;owned\u0007\r\n{Forged} \u007f\u0085";

    private FakeCatalogServer _datasets = null!;

    public async Task InitializeAsync() => _datasets = await FakeCatalogServer.StartAsync();

    public async Task DisposeAsync() => await _datasets.DisposeAsync();

    [Theory]
    [InlineData("simple")]
    [InlineData("json")]
    public async Task Hostile_input_client_errors_a_server_fault_and_secrets_leave_the_log_safe_to_ship(string format)
    {
        var database = await postgres.CreateDatabaseAsync("orchestrator_logs");
        var password = "pg-password-" + Guid.NewGuid().ToString("N");
        var token = "bearer-token-" + Guid.NewGuid().ToString("N");
        var environment = OrchestratorFixture.Environment(_datasets);
        environment["CAUCHY_DATABASE__PROVIDER"] = "postgres";
        // The test server trusts every local connection, so the password is sent and ignored: it only has to stay out of the log.
        environment["CAUCHY_DATABASE__CONNECTIONSTRING"] = $"{database.ConnectionString};Password={password}";
        environment["CAUCHY_LOGGING__FORMAT"] = format;
        await using var service = await ServiceProcess.StartAsync("orchestrator", "Cauchy.Orchestrator", environment);
        using var channel = GrpcChannel.ForAddress(service.Address);
        var client = new V1.Jobs.JobsClient(channel);
        var headers = new Metadata { { "authorization", $"Bearer {token}" } };
        CallOptions Call() => Deadline().WithHeaders(headers);

        var spec = Specs.Classification(UniqueArchitecture(), dataset: Hostile);
        spec.DisplayName = Hostile;
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.SubmitJobAsync(new SubmitJobRequest { Spec = spec }, Call()).ResponseAsync);
        Assert.Contains(refused.StatusCode, new[] { StatusCode.InvalidArgument, StatusCode.NotFound });
        var hypes = new HypesDocument { Text = $"display_name: \"{Hostile.Replace("\r\n", " ")}\"\n{Hostile}: [\n", Format = HypesFormat.Yaml };
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => client.SubmitJobAsync(new SubmitJobRequest { Hypes = hypes }, Call()).ResponseAsync)).StatusCode);
        // Before the check of ids, PostgreSQL's refusal of the NUL made these two a server fault (UNKNOWN).
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => client.GetJobAsync(new GetJobRequest { JobId = Hostile }, Call()).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => client.CancelJobAsync(new CancelJobRequest { JobId = Hostile, Reason = Hostile }, Call()).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => client.GetJobAsync(new GetJobRequest { JobId = "0123456789abcdef0123456789abcdef" }, Call()).ResponseAsync)).StatusCode);
        var clientErrors = Readable(await LogAfterAsync(service, "0123456789abcdef0123456789abcdef"), format);

        // The runtime's one line per refused call, status and detail, and nothing more.
        Assert.Contains("Error status code 'InvalidArgument' with detail 'job_id: contains control characters", clientErrors);
        Assert.Contains("Error status code 'NotFound' with detail 'job '0123456789abcdef0123456789abcdef' does not exist'", clientErrors);
        Assert.DoesNotContain(" at Cauchy.", clientErrors);
        Assert.DoesNotContain(" at Grpc.", clientErrors);
        Assert.DoesNotContain("RpcException", clientErrors);

        // A server fault: the database disappears under the running service.
        await using (var admin = new NpgsqlConnection(postgres.ConnectionString("postgres")))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE \"{new NpgsqlConnectionStringBuilder(database.ConnectionString).Database}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        var fault = await Assert.ThrowsAsync<RpcException>(() => client.GetJobAsync(new GetJobRequest { JobId = "0123456789abcdef0123456789abcdef" }, Call()).ResponseAsync);
        Assert.Equal(StatusCode.Unknown, fault.StatusCode);
        var raw = await LogAfterAsync(service, "Error when executing service method");
        var log = Readable(raw, format);

        Assert.Contains("Error when executing service method 'GetJob'", log);
        Assert.Contains(" at Cauchy.Orchestrator.", log);
        Assert.Contains("/_/services/orchestrator/", log);
        // EF Core's SQL stays below the shipped level (Warning by default): the submits above ran plenty of it.
        Assert.DoesNotContain("Executed DbCommand", log);
        foreach (var text in new[] { raw, log })
        {
            Assert.DoesNotContain(RepositoryRoot.Find().TrimEnd('/'), text);
            Assert.DoesNotContain(password, text);
            Assert.DoesNotContain(token, text);
        }

        // What reaches the console: no control character but the line ends, no forged line, the input escaped.
        Assert.DoesNotContain(raw, c => char.IsControl(c) && c != '\n');
        var lines = raw.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith(Forged, StringComparison.Ordinal));
        Assert.Contains(@"\u001b[2j", raw.ToLowerInvariant());
        if (format == "json")
        {
            foreach (var line in lines)
            {
                using var document = JsonDocument.Parse(line);
                Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            }
        }
    }

    /// <summary>The log as a reader sees it: each json entry's message and exception, decoded; the simple format as it is.</summary>
    private static string Readable(string raw, string format) => format != "json"
        ? raw
        : string.Join('\n', raw.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var entry = JsonDocument.Parse(line);
            var root = entry.RootElement;
            return $"{root.GetProperty("Message").GetString()} {(root.TryGetProperty("Exception", out var e) ? e.GetString() : "")}";
        }));

    /// <summary>The log once every one of <paramref name="markers"/> is in it (a line is printed a moment after the answer).</summary>
    private static async Task<string> LogAfterAsync(ServiceProcess service, params string[] markers)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!markers.All(service.Output.Contains) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        return service.Output;
    }
}
