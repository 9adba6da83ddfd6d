using Cauchy.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.Configuration;

public sealed class AppSettingsBesideAssemblyTests : IDisposable
{
    private readonly string _assemblyDirectory = Directory.CreateTempSubdirectory("cauchy-asm").FullName;
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("cauchy-root").FullName;

    [Fact]
    public void The_file_beside_the_assembly_is_read_when_the_working_directory_has_none_and_the_environment_still_wins()
    {
        File.WriteAllText(Path.Combine(_assemblyDirectory, "appsettings.json"), """{ "Services": { "Registry": { "Address": "http://from-file" } }, "Jobs": { "LeaseSeconds": 60 } }""");
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Jobs:LeaseSeconds"] = "5" });

        ServiceDefaultsExtensions.AddAppSettingsBesideAssembly(configuration, _contentRoot, _assemblyDirectory);

        Assert.Equal("http://from-file", configuration["Services:Registry:Address"]);
        Assert.Equal("5", configuration["Jobs:LeaseSeconds"]);
    }

    [Fact]
    public void A_content_root_with_its_own_appsettings_is_left_alone()
    {
        File.WriteAllText(Path.Combine(_assemblyDirectory, "appsettings.json"), """{ "X": "assembly" }""");
        File.WriteAllText(Path.Combine(_contentRoot, "appsettings.json"), """{ "Y": "root" }""");
        var configuration = new ConfigurationManager();

        ServiceDefaultsExtensions.AddAppSettingsBesideAssembly(configuration, _contentRoot, _assemblyDirectory);

        Assert.Null(configuration["X"]);
    }

    public void Dispose()
    {
        Directory.Delete(_assemblyDirectory, recursive: true);
        Directory.Delete(_contentRoot, recursive: true);
    }
}
