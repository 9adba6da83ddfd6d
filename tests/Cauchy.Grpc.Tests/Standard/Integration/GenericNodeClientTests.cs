using System.Text.Json;
using Cauchy.Grpc.Tests.Standard.Support;
using Xunit;
using Xunit.Abstractions;

namespace Cauchy.Grpc.Tests.Standard.Integration;

/// <summary>
/// The independent check: tests/interop-node/reflection-client.js, a grpcurl-like tool on
/// @grpc/grpc-js that declares the health and reflection protocols from their specifications,
/// knows only the server's address, discovers the Probe service by reflection and calls it
/// without its .proto file.
/// </summary>
public sealed class GenericNodeClientTests(ITestOutputHelper output) : IAsyncLifetime
{
    private StandardServicesServer _server = null!;

    public async Task InitializeAsync() => _server = await StandardServicesServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task NodeClient_ChecksHealth_ListsServices_AndCallsProbeFromReflectedDescriptors()
    {
        var request = """{"name":"node","mood":"MOOD_EAGER","options":{"style":"STYLE_SHOUT","repeat":2},"patience":{"seconds":"3"},"number":7}""";

        var run = await NodeScript.RunAsync(
            "reflection-client.js",
            ["--address", _server.HostAndPort, "--service", "cauchy.probe.v1.Probe", "--method", "Describe", "--request", request],
            TimeSpan.FromSeconds(60));

        output.WriteLine(run.ToString());
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;

        var health = root.GetProperty("health");
        Assert.Equal("SERVING", health.GetProperty("server").GetProperty("status").GetString());
        Assert.Equal("SERVING", health.GetProperty("service").GetProperty("status").GetString());
        Assert.Equal("NOT_FOUND", health.GetProperty("unknown").GetProperty("code").GetString());
        Assert.Equal("SERVING", health.GetProperty("watch").GetProperty("first_status").GetString());

        string[] expectedServices = ["cauchy.probe.v1.Probe", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"];
        Assert.Equal(expectedServices, Strings(root.GetProperty("services").GetProperty("v1")).Order());
        Assert.Equal(expectedServices, Strings(root.GetProperty("services").GetProperty("v1alpha")).Order());

        var descriptors = root.GetProperty("descriptors");
        Assert.Equal(5, descriptors.GetProperty("unknown_symbol").GetProperty("error_code").GetInt32());
        Assert.Equal("cauchy/probe/v1/probe.proto", descriptors.GetProperty("first_file").GetString());
        Assert.Equal(
            ["cauchy/probe/v1/probe.proto", "cauchy/probe/v1/probe_types.proto", "google/protobuf/descriptor.proto", "google/protobuf/duration.proto", "google/protobuf/timestamp.proto"],
            Strings(descriptors.GetProperty("files")).Order(StringComparer.Ordinal));
        // Every import came with the first answer: the client had nothing left to fetch.
        Assert.Empty(Strings(descriptors.GetProperty("fetched_separately")));

        var call = root.GetProperty("call");
        Assert.Equal("/cauchy.probe.v1.Probe/Describe", call.GetProperty("method").GetString());
        Assert.True(call.GetProperty("code").GetString() == "OK", call.ToString());
        var response = call.GetProperty("response");
        Assert.Equal("HELLO, NODE! HELLO, NODE!", response.GetProperty("greeting").GetString());
        Assert.Equal("MOOD_EAGER", response.GetProperty("stamp").GetProperty("label").GetString());
        Assert.Equal(ProbeService.FixedTime.Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            response.GetProperty("stamp").GetProperty("at").GetProperty("seconds").GetString());
        Assert.Equal(
            ["name=node", "mood=MOOD_EAGER", "options.style=STYLE_SHOUT", "options.repeat=2", "patience=3s", "number=7"],
            Strings(response.GetProperty("fields_seen")));
    }

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(item => item.GetString() ?? "").ToArray();
}
