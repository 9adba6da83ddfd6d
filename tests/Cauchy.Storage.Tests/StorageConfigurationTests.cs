using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Cauchy.Storage.Tests;

public sealed class StorageConfigurationTests
{
    private const string Secret = "s3cr3t-value-that-must-not-leak";

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();

    [Fact]
    public void Without_configuration_the_local_store_is_the_default()
    {
        var options = new StorageOptions();

        Assert.Equal("local", options.Kind);
        Assert.Equal(8L * 1024 * 1024, options.S3.PartSizeBytes);
    }

    [Fact]
    public void Local_kind_registers_a_local_store_at_the_configured_root()
    {
        var root = Path.Combine(Path.GetTempPath(), $"cauchy-di-{Guid.NewGuid():N}");
        try
        {
            using var provider = new ServiceCollection()
                .AddObjectStore(Configuration(("Storage:Kind", "local"), ("Storage:Local:Root", root)))
                .BuildServiceProvider();

            var store = Assert.IsType<LocalObjectStore>(provider.GetRequiredService<IObjectStore>());
            Assert.Equal(Path.GetFullPath(root), store.Root);
            Assert.True(Directory.Exists(Path.Combine(root, ".tmp")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Without_a_local_root_the_store_lives_in_the_services_data_folder()
    {
        var dataRoot = Path.Combine(Path.GetTempPath(), $"cauchy-data-{Guid.NewGuid():N}");
        try
        {
            using var provider = new ServiceCollection()
                .AddObjectStore(Configuration(("Data:Root", dataRoot)))
                .BuildServiceProvider();

            var store = Assert.IsType<LocalObjectStore>(provider.GetRequiredService<IObjectStore>());
            Assert.Equal(Path.GetFullPath(Path.Combine(dataRoot, "objects")), store.Root);
        }
        finally
        {
            if (Directory.Exists(dataRoot))
            {
                Directory.Delete(dataRoot, recursive: true);
            }
        }
    }

    [Fact]
    public void S3_kind_binds_every_key_and_registers_an_S3_store()
    {
        using var provider = new ServiceCollection()
            .AddObjectStore(Configuration(
                ("Storage:Kind", "S3"),
                ("Storage:S3:ServiceUrl", "http://127.0.0.1:9000"),
                ("Storage:S3:Bucket", "weights"),
                ("Storage:S3:AccessKey", "minio"),
                ("Storage:S3:SecretKey", Secret),
                ("Storage:S3:Region", "eu-west-1"),
                ("Storage:S3:PartSizeBytes", "16777216")))
            .BuildServiceProvider();

        var options = provider.GetRequiredService<StorageOptions>().S3;
        Assert.Equal("http://127.0.0.1:9000", options.ServiceUrl);
        Assert.Equal("weights", options.Bucket);
        Assert.Equal("minio", options.AccessKey);
        Assert.Equal(Secret, options.SecretKey);
        Assert.Equal("eu-west-1", options.Region);
        Assert.Equal(16L * 1024 * 1024, options.PartSizeBytes);
        Assert.IsType<S3ObjectStore>(provider.GetRequiredService<IObjectStore>());
    }

    [Fact]
    public void Unknown_kind_is_rejected_naming_the_setting() =>
        Assert.Contains("Storage:Kind", Assert.Throws<ArgumentException>(() =>
            new ServiceCollection().AddObjectStore(Configuration(("Storage:Kind", "nfs")))).Message);

    [Fact]
    public void Invalid_S3_settings_are_rejected_without_revealing_the_secret()
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddObjectStore(Configuration(
            ("Storage:Kind", "s3"), ("Storage:S3:SecretKey", Secret), ("Storage:S3:PartSizeBytes", "1024"))));

        Assert.Contains("PartSizeBytes", error.Message);
        Assert.DoesNotContain(Secret, error.Message);
    }

    [Fact]
    public void Printed_options_mask_the_secret_key()
    {
        var options = new StorageOptions { Kind = "s3", S3 = new S3StoreOptions { AccessKey = "minio", SecretKey = Secret } };

        var printed = options.ToString();

        Assert.DoesNotContain(Secret, printed);
        Assert.Contains("SecretKey = ***", printed);
        Assert.Contains("AccessKey = minio", printed);
    }
}
