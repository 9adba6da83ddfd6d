using System.Runtime.CompilerServices;
using System.Text;
using Cauchy.Orchestrator.Data;
using Cauchy.Orchestrator.Jobs;
using Cauchy.Orchestrator.Telemetry;
using Cauchy.Testing;
using Cauchy.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using Xunit;

namespace Cauchy.Orchestrator.Tests;

/// <summary><see cref="JobGauges"/> as a scrape of the orchestrator's registry sees them: read at scrape time, cached, kept through a failed read.</summary>
public sealed class JobGaugesTests(SqliteFixture server) : IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task A_failed_database_read_keeps_the_last_values_and_the_next_good_read_updates_them()
    {
        var h = await HarnessAsync();
        var database = new FailingFactory(h.Factory);
        var registry = Gauges(database, cacheSeconds: 0);
        await SubmitAsync(h);
        Assert.Contains("cauchy_jobs_queued 1\n", await ScrapeAsync(registry));

        await SubmitAsync(h);
        database.Failing = true;
        var duringOutage = await ScrapeAsync(registry);
        database.Failing = false;

        Assert.Contains("cauchy_jobs_queued 1\n", duringOutage);
        Assert.Contains("cauchy_jobs{state=\"queued\"} 1\n", duringOutage);
        Assert.Contains("cauchy_jobs_queued 2\n", await ScrapeAsync(registry));
    }

    [Fact]
    public async Task One_read_serves_the_scrapes_of_GaugeCacheSeconds()
    {
        var h = await HarnessAsync();
        var registry = Gauges(h.Factory, cacheSeconds: 3600);
        await SubmitAsync(h);
        Assert.Contains("cauchy_jobs_queued 1\n", await ScrapeAsync(registry));

        await SubmitAsync(h);

        Assert.Contains("cauchy_jobs_queued 1\n", await ScrapeAsync(registry));
    }

    private static CollectorRegistry Gauges(IDbContextFactory<OrchestratorDbContext> factory, double cacheSeconds)
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        _ = new JobGauges(
            factory,
            Microsoft.Extensions.Options.Options.Create(new JobsOptions { GaugeCacheSeconds = cacheSeconds }),
            TimeProvider.System,
            registry,
            Prometheus.Metrics.WithCustomRegistry(registry),
            NullLogger<JobGauges>.Instance);
        return registry;
    }

    private async Task<QueueHarness> HarnessAsync([CallerMemberName] string test = "") =>
        await QueueHarness.CreateAsync(server, $"{GetType().Name}_{test}");

    private static Task SubmitAsync(QueueHarness h) => h.Submission.SubmitAsync(new SubmitJobRequest { Spec = Specs.Classification() }, default);

    private static async Task<string> ScrapeAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The real database until told to fail, as a database does while it restarts.</summary>
    private sealed class FailingFactory(IDbContextFactory<OrchestratorDbContext> inner) : IDbContextFactory<OrchestratorDbContext>
    {
        public bool Failing { get; set; }

        public OrchestratorDbContext CreateDbContext() =>
            Failing ? throw new InvalidOperationException("database unreachable") : inner.CreateDbContext();
    }
}
