using System.Net;
using System.Net.Sockets;
using Cauchy.Cli;
using Cauchy.Cli.Commands;
using Cauchy.Cli.Output;
using Cauchy.V1;
using Xunit;

namespace Cauchy.Cli.Tests;

public sealed class CliTests
{
    [Fact]
    public void Addresses_come_from_flags_then_environment_then_host_and_default_port()
    {
        var environment = new Dictionary<string, string?> { ["CAUCHY_JOBS_ADDRESS"] = "jobs.example:7000", ["CAUCHY_HOST"] = "10.0.0.5" };
        var addresses = new ServiceAddresses(name => environment.GetValueOrDefault(name));
        addresses.Overrides["registry"] = "https://registry.example:443";

        Assert.Equal(new Uri("https://registry.example:443"), addresses.For("registry"));
        Assert.Equal(new Uri("http://jobs.example:7000"), addresses.For("jobs"));
        Assert.Equal(new Uri("http://10.0.0.5:50051"), addresses.For("datasets"));
        addresses.Host = "127.0.0.2";
        Assert.Equal(new Uri("http://127.0.0.2:50054"), addresses.For("metrics"));
    }

    [Fact]
    public void The_port_offset_of_make_up_moves_every_default_port()
    {
        var environment = new Dictionary<string, string?> { ["CAUCHY_PORT_OFFSET"] = "300", ["CAUCHY_REGISTRY_ADDRESS"] = "registry.example:7000" };
        var addresses = new ServiceAddresses(name => environment.GetValueOrDefault(name), EmptyFolder());

        Assert.Equal((new Uri("http://127.0.0.1:50351"), "CAUCHY_PORT_OFFSET=300"), addresses.Resolve("datasets"));
        Assert.Equal(new Uri("http://127.0.0.1:50352"), addresses.For("jobs"));
        Assert.Equal(new Uri("http://registry.example:7000"), addresses.For("registry"));
        addresses.Host = "10.0.0.7";
        Assert.Equal((new Uri("http://10.0.0.7:50354"), "--host, CAUCHY_PORT_OFFSET=300"), addresses.Resolve("metrics"));

        environment["CAUCHY_PORT_OFFSET"] = "three";
        var error = Assert.Throws<CliException>(() => addresses.For("metrics"));
        Assert.Equal("CAUCHY_PORT_OFFSET is 'three'; expected a whole number of ports", error.Message);
    }

    [Fact]
    public void Without_an_address_or_offset_the_addresses_make_up_recorded_in_the_run_folder_apply()
    {
        var folder = EmptyFolder();
        Directory.CreateDirectory(Path.Combine(folder, ".run"));
        var recorded = Path.Combine(folder, ".run", ServiceAddresses.RunFileName);
        File.WriteAllLines(recorded, ["CAUCHY_DATASETS_ADDRESS=http://127.0.0.1:50351", "CAUCHY_JOBS_ADDRESS=http://127.0.0.1:50352"]);
        var environment = new Dictionary<string, string?>();
        var addresses = new ServiceAddresses(name => environment.GetValueOrDefault(name), folder);

        Assert.Equal((new Uri("http://127.0.0.1:50351"), $"recorded by make up in {recorded}"), addresses.Resolve("datasets"));
        Assert.Equal(new Uri("http://127.0.0.1:50352"), addresses.For("jobs"));
        Assert.Equal((new Uri("http://127.0.0.1:50054"), "default port"), addresses.Resolve("metrics"));

        // Anything set explicitly wins over the recorded platform.
        environment["CAUCHY_PORT_OFFSET"] = "0";
        Assert.Equal(new Uri("http://127.0.0.1:50051"), new ServiceAddresses(name => environment.GetValueOrDefault(name), folder).For("datasets"));

        // CAUCHY_RUN_DIR names the run folder, as for make up.
        environment.Clear();
        environment["CAUCHY_RUN_DIR"] = Path.Combine(folder, "elsewhere");
        Assert.Equal((new Uri("http://127.0.0.1:50051"), "default port"), new ServiceAddresses(name => environment.GetValueOrDefault(name), folder).Resolve("datasets"));
        environment["CAUCHY_RUN_DIR"] = Path.Combine(folder, ".run");
        Assert.Equal(new Uri("http://127.0.0.1:50351"), new ServiceAddresses(name => environment.GetValueOrDefault(name), EmptyFolder()).For("datasets"));
    }

    [Fact]
    public async Task Help_lists_the_address_options()
    {
        var output = new StringWriter();

        var code = await CauchyCli.RunAsync(["--help"], output, new StringWriter(), _ => null, interactive: false);

        Assert.Equal(0, code);
        foreach (var service in ServiceAddresses.DefaultPorts.Keys)
        {
            Assert.Contains($"--{service}-address", output.ToString());
        }

        Assert.Contains("CAUCHY_PORT_OFFSET", output.ToString());
    }

    [Fact]
    public void A_malformed_address_is_a_clear_error()
    {
        var addresses = new ServiceAddresses(_ => null);
        addresses.Overrides["datasets"] = "ftp://x";

        var error = Assert.Throws<CliException>(() => addresses.For("datasets"));
        Assert.Contains("'ftp://x' is not a valid address for the datasets service", error.Message);
    }

    [Theory]
    [InlineData("classification", TaskType.Classification)]
    [InlineData("TASK_TYPE_DETECTION", TaskType.Detection)]
    [InlineData("Segmentation", TaskType.Segmentation)]
    public void Enum_values_parse_from_short_or_full_names(string text, TaskType expected)
    {
        Assert.Equal(expected, CommandHelpers.ParseEnum<TaskType>(text, "task type"));
    }

    [Fact]
    public void Enum_values_with_several_words_parse_in_snake_or_kebab_case()
    {
        Assert.Equal(DatasetFormat.ImageFolder, CommandHelpers.ParseEnum<DatasetFormat>("image-folder", "format"));
        Assert.Equal(DatasetFormat.CocoJson, CommandHelpers.ParseEnum<DatasetFormat>("coco_json", "format"));
        Assert.Equal("image_folder", Show.Enum(DatasetFormat.ImageFolder));
        var error = Assert.Throws<CliException>(() => CommandHelpers.ParseEnum<ModelStage>("prod", "stage"));
        Assert.Equal("unknown stage 'prod'; expected one of none, staging, production, archived", error.Message);
    }

    [Theory]
    [InlineData("DetectionCoco", "detection_coco")]
    [InlineData("imageFolder", "image_folder")]
    [InlineData("ResNet18Small", "res_net18_small")]
    [InlineData("OK", "ok")]
    [InlineData("already_snake", "already_snake")]
    public void Pascal_and_camel_case_turn_into_snake_case(string text, string expected) =>
        Assert.Equal(expected, Show.SnakeCase(text));

    [Theory]
    [InlineData("resnet:3", null, "resnet", 3)]
    [InlineData("my:model:12", null, "my:model", 12)]
    [InlineData("resnet", 4, "resnet", 4)]
    public void Model_versions_parse(string text, int? version, string name, int number)
    {
        Assert.Equal((name, number), CommandHelpers.ParseModelVersion(text, version));
    }

    [Fact]
    public void A_sparkline_spans_its_series_range()
    {
        Assert.Equal("█▅▁", Curves.Sparkline([2.0, 1.0, 0.0]));
        Assert.Equal("▅▅", Curves.Sparkline([1.0, 1.0]));
        Assert.Equal("", Curves.Sparkline([]));
    }

    [Fact]
    public async Task An_unreachable_service_says_where_it_looked_and_exits_1()
    {
        var port = FreePort();
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await CauchyCli.RunAsync(["datasets", "list", "--datasets-address", $"127.0.0.1:{port}"], output, error, _ => null, interactive: false);

        Assert.Equal(1, code);
        Assert.StartsWith($"error: cannot reach the datasets service at http://127.0.0.1:{port}/ (--datasets-address): ", error.ToString());
        Assert.Contains("is the platform running? (make up;", error.ToString());
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public async Task An_unreachable_service_behind_a_port_offset_names_the_offset_address()
    {
        var port = FreePort();
        var offset = port - ServiceAddresses.DefaultPorts["datasets"];
        var error = new StringWriter();
        var environment = new Dictionary<string, string?> { ["CAUCHY_PORT_OFFSET"] = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) };

        var code = await CauchyCli.RunAsync(["datasets", "list"], new StringWriter(), error, environment.GetValueOrDefault, interactive: false, workingDirectory: EmptyFolder());

        Assert.Equal(1, code);
        Assert.StartsWith($"error: cannot reach the datasets service at http://127.0.0.1:{port}/ (CAUCHY_PORT_OFFSET={offset}): ", error.ToString());
    }

    [Fact]
    public async Task Usage_errors_exit_with_a_non_zero_code_before_any_call()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await CauchyCli.RunAsync(["datasets", "create", "x", "--task", "fish"], output, error, _ => null, interactive: false);
        Assert.Equal(1, code);
        Assert.Equal("error: unknown task type 'fish'; expected one of classification, detection, segmentation", error.ToString().Trim());

        code = await CauchyCli.RunAsync(["datasets", "create"], output, new StringWriter(), _ => null, interactive: false);
        Assert.NotEqual(0, code);
    }

    private static string EmptyFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "cauchy-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
