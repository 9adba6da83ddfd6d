using Cauchy.Testing;
using Xunit;

namespace Cauchy.Registry.Tests.Support;

/// <summary>
/// The registry process in its cluster configuration: a real PostgreSQL and S3 (s3rver), both on loopback, both its own.
/// </summary>
public sealed class ClusterRegistryFixture : IAsyncLifetime
{
    public PostgresFixture Postgres { get; } = new();
    public S3rverFixture S3 { get; } = new();
    public string Bucket { get; private set; } = "";
    public RegistryProcess Service { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Postgres.InitializeAsync(), S3.InitializeAsync());
        Bucket = await S3.CreateBucketAsync();
        var database = await Postgres.CreateDatabaseAsync("registry");
        var environment = new Dictionary<string, string>(S3.Environment(Bucket))
        {
            ["CAUCHY_DATABASE__PROVIDER"] = "postgres",
            ["CAUCHY_DATABASE__CONNECTIONSTRING"] = database.ConnectionString!,
        };
        Service = await RegistryProcess.StartAsync(environment);
    }

    public async Task DisposeAsync()
    {
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }
        await S3.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}
