using Cauchy.ServiceDefaults.Hosting;
using Cauchy.ServiceDefaults.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.Hosting;

[Collection(HostingCollection.Name)]
public sealed class ServiceConfigurationTests
{
    private static ServiceHostingOptions Read(Dictionary<string, string?> settings, int defaultGrpcPort = 50052) =>
        ServiceHostingOptions.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), defaultGrpcPort);

    [Fact]
    public void Defaults_come_from_the_service_http_is_grpc_plus_1000_on_loopback()
    {
        var options = Read([]);

        Assert.Equal(50052, options.GrpcPort);
        Assert.Equal(51052, options.HttpPort);
        Assert.Equal("127.0.0.1", options.BindAddress);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ShutdownTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), options.KeepAlivePing);
        Assert.Equal(TimeSpan.FromSeconds(20), options.KeepAlivePingTimeout);
        Assert.False(options.UseTls);
    }

    [Fact]
    public void Configuration_overrides_every_default()
    {
        var options = Read(new()
        {
            ["Grpc:Port"] = "6000",
            ["Hosting:BindAddress"] = "0.0.0.0",
            ["Hosting:ShutdownTimeoutSeconds"] = "2.5",
            ["Grpc:KeepAlivePingSeconds"] = "15",
            ["Grpc:KeepAlivePingTimeoutSeconds"] = "5",
            ["Grpc:Tls:CertificatePath"] = "/etc/cauchy/tls/tls.crt",
            ["Grpc:Tls:KeyPath"] = "/etc/cauchy/tls/tls.key",
        });

        Assert.Equal(6000, options.GrpcPort);
        Assert.Equal(7000, options.HttpPort);
        Assert.Equal("0.0.0.0", options.BindAddress);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.ShutdownTimeout);
        Assert.Equal(TimeSpan.FromSeconds(15), options.KeepAlivePing);
        Assert.Equal(TimeSpan.FromSeconds(5), options.KeepAlivePingTimeout);
        Assert.True(options.UseTls);
        Assert.Equal("/etc/cauchy/tls/tls.key", options.TlsKeyPath);
        Assert.Equal(9100, Read(new() { ["Http:Port"] = "9100" }).HttpPort);
    }

    [Fact]
    public void In_a_container_the_default_bind_address_is_every_interface() =>
        Assert.Equal("0.0.0.0", Read(new() { ["DOTNET_RUNNING_IN_CONTAINER"] = "true" }).BindAddress);

    [Theory]
    [InlineData("Grpc:Port", "0")]
    [InlineData("Grpc:Port", "70000")]
    [InlineData("Grpc:Port", "fifty")]
    [InlineData("Http:Port", "-1")]
    [InlineData("Hosting:ShutdownTimeoutSeconds", "soon")]
    [InlineData("Grpc:KeepAlivePingSeconds", "-1")]
    [InlineData("Grpc:KeepAlivePingTimeoutSeconds", "0")]
    [InlineData("Grpc:MaxReceiveMessageBytes", "100")]
    [InlineData("Grpc:MaxSendMessageBytes", "-5")]
    [InlineData("Grpc:ResponseCompression", "brotli")]
    [InlineData("Grpc:Http2:StreamWindowBytes", "1024")]
    [InlineData("Grpc:Http2:MaxStreamsPerConnection", "0")]
    [InlineData("Health:CheckIntervalSeconds", "0")]
    public void Invalid_settings_fail_naming_the_key(string key, string value)
    {
        var failure = Assert.Throws<InvalidOperationException>(() => Read(new() { [key] = value }));

        Assert.Contains(key, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Grpc_message_compression_and_http2_settings_have_explicit_defaults_and_are_read_from_configuration()
    {
        var defaults = Read(new());
        var set = Read(new()
        {
            ["Grpc:MaxReceiveMessageBytes"] = "1048576",
            ["Grpc:MaxSendMessageBytes"] = "2097152",
            ["Grpc:ResponseCompression"] = "GZIP",
            ["Grpc:Http2:ConnectionWindowBytes"] = "4194304",
            ["Grpc:Http2:StreamWindowBytes"] = "2097152",
            ["Grpc:Http2:MaxStreamsPerConnection"] = "250",
            ["Health:CheckIntervalSeconds"] = "3",
        });

        Assert.Equal((4 * 1024 * 1024, (int?)null, (string?)null, 16 * 1024 * 1024, 8 * 1024 * 1024, 100, TimeSpan.FromSeconds(10)),
            (defaults.MaxReceiveMessageBytes, defaults.MaxSendMessageBytes, defaults.ResponseCompression, defaults.Http2ConnectionWindowBytes,
             defaults.Http2StreamWindowBytes, defaults.Http2MaxStreamsPerConnection, defaults.HealthCheckInterval));
        Assert.Equal((1048576, (int?)2097152, (string?)"gzip", 4194304, 2097152, 250, TimeSpan.FromSeconds(3)),
            (set.MaxReceiveMessageBytes, set.MaxSendMessageBytes, set.ResponseCompression, set.Http2ConnectionWindowBytes,
             set.Http2StreamWindowBytes, set.Http2MaxStreamsPerConnection, set.HealthCheckInterval));
    }

    [Fact]
    public void The_two_ports_must_differ() =>
        Assert.Throws<InvalidOperationException>(() => Read(new() { ["Grpc:Port"] = "7000", ["Http:Port"] = "7000" }));

    [Fact]
    public void Cauchy_environment_variables_override_appsettings_and_the_command_line_overrides_both()
    {
        var key = "PROBE" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable($"CAUCHY_{key}__PORT", "6000");
        Environment.SetEnvironmentVariable($"CAUCHY_{key}__NAME", "from-environment");
        try
        {
            var builder = TestService.CreateBuilder(
                new Dictionary<string, string?> { [$"{key}:Port"] = "5000", [$"{key}:Name"] = "from-appsettings", [$"{key}:Other"] = "kept" },
                args: [$"--{key}:Name=from-command-line"]);

            builder.AddServiceDefaults("test", 50051);

            Assert.Equal("6000", builder.Configuration[$"{key}:Port"]);
            Assert.Equal("from-command-line", builder.Configuration[$"{key}:Name"]);
            Assert.Equal("kept", builder.Configuration[$"{key}:Other"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable($"CAUCHY_{key}__PORT", null);
            Environment.SetEnvironmentVariable($"CAUCHY_{key}__NAME", null);
        }
    }

    [Fact]
    public async Task CAUCHY_GRPC__PORT_moves_the_running_service()
    {
        var grpcPort = TestPorts.Free();
        Environment.SetEnvironmentVariable("CAUCHY_GRPC__PORT", grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            var builder = TestService.CreateBuilder(new Dictionary<string, string?> { ["Http:Port"] = TestPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture) });
            builder.AddServiceDefaults("test", 50051);
            await using var app = builder.Build();
            app.MapDefaultEndpoints();
            await app.StartAsync();

            Assert.Equal(grpcPort, app.Services.GetRequiredService<ServiceHostingOptions>().GrpcPort);
            Assert.Contains(app.Urls, url => url.EndsWith(":" + grpcPort, StringComparison.Ordinal));
            await app.StopAsync();
        }
        finally
        {
            Environment.SetEnvironmentVariable("CAUCHY_GRPC__PORT", null);
        }
    }

    [Theory]
    [InlineData(null, EscapingConsoleFormatter.FormatterName)]
    [InlineData("simple", EscapingConsoleFormatter.FormatterName)]
    [InlineData("json", ConsoleFormatterNames.Json)]
    [InlineData("JSON", ConsoleFormatterNames.Json)]
    public void Logging_format_picks_the_console_formatter(string? format, string expectedFormatter)
    {
        var builder = TestService.CreateBuilder(new Dictionary<string, string?> { ["Logging:Format"] = format });
        builder.AddServiceDefaults("test", 50051);
        using var provider = builder.Services.BuildServiceProvider();

        Assert.Equal(expectedFormatter, provider.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
        var simple = provider.GetRequiredService<IOptionsMonitor<ConsoleFormatterOptions>>().CurrentValue;
        var json = provider.GetRequiredService<IOptionsMonitor<JsonConsoleFormatterOptions>>().CurrentValue;
        var timestamps = expectedFormatter == ConsoleFormatterNames.Json ? json : simple;
        Assert.True(timestamps.UseUtcTimestamp);
        Assert.StartsWith("yyyy-MM-ddTHH:mm:ss.fffZ", timestamps.TimestampFormat, StringComparison.Ordinal);
        if (expectedFormatter == EscapingConsoleFormatter.FormatterName)
        {
            Assert.Contains(provider.GetServices<ConsoleFormatter>(), f => f is EscapingConsoleFormatter);
        }
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("Information", true)]
    public void EF_Core_logs_warnings_by_default_and_configuration_can_say_otherwise(string? configured, bool sqlLogged)
    {
        var settings = new Dictionary<string, string?>();
        if (configured is not null)
        {
            settings["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = configured;
        }

        var builder = TestService.CreateBuilder(settings);
        builder.AddServiceDefaults("test", 50051);
        using var provider = builder.Services.BuildServiceProvider();
        var factory = provider.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>();

        var sql = factory.CreateLogger("Microsoft.EntityFrameworkCore.Database.Command");
        Assert.Equal(sqlLogged, sql.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information));
        Assert.True(sql.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Warning));
        Assert.True(factory.CreateLogger("Cauchy.Orchestrator").IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information));
    }

    [Fact]
    public void An_unknown_logging_format_is_refused()
    {
        var builder = TestService.CreateBuilder(new Dictionary<string, string?> { ["Logging:Format"] = "xml" });

        var failure = Assert.Throws<InvalidOperationException>(() => builder.AddServiceDefaults("test", 50051));

        Assert.Contains("Logging:Format", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shutdown_timeout_comes_from_configuration()
    {
        var builder = TestService.CreateBuilder(new Dictionary<string, string?> { ["Hosting:ShutdownTimeoutSeconds"] = "7" });
        builder.AddServiceDefaults("test", 50051);
        using var provider = builder.Services.BuildServiceProvider();

        Assert.Equal(TimeSpan.FromSeconds(7), provider.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    [Theory]
    [InlineData(null, 60.0)]
    [InlineData("30", 30.0)]
    [InlineData("0", 0.0)]
    public void Keepalive_pings_reach_kestrel_and_zero_turns_them_off(string? seconds, double expectedSeconds)
    {
        var builder = TestService.CreateBuilder(new Dictionary<string, string?> { ["Grpc:KeepAlivePingSeconds"] = seconds });
        builder.AddServiceDefaults("test", 50051);
        using var provider = builder.Services.BuildServiceProvider();

        var http2 = provider.GetRequiredService<IOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>>().Value.Limits.Http2;
        // Kestrel's own default (no pings) is TimeSpan.MaxValue.
        Assert.Equal(expectedSeconds == 0 ? TimeSpan.MaxValue : TimeSpan.FromSeconds(expectedSeconds), http2.KeepAlivePingDelay);
    }
}
