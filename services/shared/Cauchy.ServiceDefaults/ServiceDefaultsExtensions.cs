using Cauchy.ServiceDefaults.GrpcServer;
using Cauchy.ServiceDefaults.Hosting;
using Cauchy.ServiceDefaults.Logging;
using Cauchy.ServiceDefaults.Security;
using Cauchy.ServiceDefaults.Telemetry;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Cauchy.ServiceDefaults;

/// <summary>
/// What every Cauchy service shares, in two calls: <see cref="AddServiceDefaults"/> on the builder and
/// <see cref="MapDefaultEndpoints"/> on the app.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Environment variables with this prefix override appsettings.json: <c>CAUCHY_GRPC__PORT</c> is <c>Grpc:Port</c>.</summary>
    public const string EnvironmentPrefix = "CAUCHY_";

    private const string TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";

    /// <summary>
    /// Configuration (appsettings.json, then <c>CAUCHY_</c> environment variables, then the command line),
    /// console logging (<c>Logging:Format</c> = <c>simple</c> or <c>json</c>), the gRPC and HTTP listeners
    /// (<see cref="ServiceHostingOptions"/>), the shutdown timeout, the host's Prometheus registry, health checks
    /// (served as <c>/healthz</c> and as grpc.health.v1), server reflection, and the gRPC server with
    /// <see cref="GrpcServerMetricsInterceptor"/> as its outermost interceptor and <see cref="UnimplementedMethodInterceptor"/>
    /// naming the method in the UNIMPLEMENTED answers of RPCs a service has not built, and
    /// <see cref="DomainExceptionInterceptor"/> turning the domain's refusals into statuses for every call kind, with
    /// <see cref="AuthorizationInterceptor"/> in front of them checking every call's credential against
    /// <see cref="RpcPermissions"/> (see <see cref="SecurityServiceCollectionExtensions.AddPlatformAuthentication"/>).
    /// </summary>
    /// <param name="serviceName">the service's short name, e.g. <c>datasets</c></param>
    /// <param name="defaultGrpcPort">the service's gRPC port unless <c>Grpc:Port</c> says otherwise</param>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName, int defaultGrpcPort)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);

        AddAppSettingsBesideAssembly(builder.Configuration, builder.Environment.ContentRootPath, AppContext.BaseDirectory);
        AddLogLevelDefaults(builder.Configuration);
        AddCauchyEnvironmentVariables(builder.Configuration);
        AddConsoleLogging(builder.Logging, builder.Configuration);

        var services = builder.Services;
        services.TryAddSingleton(new ServiceIdentity(serviceName, defaultGrpcPort));
        services.TryAddSingleton(provider => ServiceHostingOptions.FromConfiguration(
            provider.GetRequiredService<IConfiguration>(),
            provider.GetRequiredService<ServiceIdentity>().DefaultGrpcPort));
        services.AddOptions<KestrelServerOptions>().Configure<ServiceHostingOptions>(KestrelListeners.Configure);
        services.AddOptions<HostOptions>().Configure<ServiceHostingOptions>(static (host, hosting) => host.ShutdownTimeout = hosting.ShutdownTimeout);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, ListenerPortMatcherPolicy>());
        services.AddPrometheusMetrics();
        services.TryAddSingleton<GrpcServerMetrics>();
        services.TryAddSingleton<GrpcServerMetricsInterceptor>();
        services.TryAddSingleton<UnimplementedMethodInterceptor>();
        services.TryAddSingleton<DomainExceptionInterceptor>();
        services.AddPlatformAuthentication();
        services.AddGrpc(static options =>
        {
            // Who may call what (RpcPermissions), first after the metrics interceptor so refusals are counted.
            options.Interceptors.Add<AuthorizationInterceptor>();
            options.Interceptors.Add<UnimplementedMethodInterceptor>();
            // Every service's refusals become statuses here, not in its gRPC classes (inside the metrics interceptor,
            // which is moved to the front below, so the metrics record the mapped code).
            options.Interceptors.Add<DomainExceptionInterceptor>();
        });
        services.AddOptions<GrpcServiceOptions>().Configure<ServiceHostingOptions>(GrpcServerSettings.Configure);
        services.Configure<GrpcServiceOptions>(static options =>
        {
            // Outermost, whichever order Program.cs configures things in: the time and status it records
            // include every other interceptor.
            if (!options.Interceptors.Any(static registration => registration.Type == typeof(GrpcServerMetricsInterceptor)))
            {
                options.Interceptors.Add<GrpcServerMetricsInterceptor>();
                var registration = options.Interceptors[^1];
                options.Interceptors.RemoveAt(options.Interceptors.Count - 1);
                options.Interceptors.Insert(0, registration);
            }
        });
        services.AddGrpcHealthAndReflection();
        services.AddOptions<HealthCheckPublisherOptions>().Configure<ServiceHostingOptions>(static (publisher, hosting) =>
        {
            publisher.Delay = TimeSpan.FromSeconds(1);
            publisher.Period = hosting.HealthCheckInterval;
        });
        return builder;
    }

    /// <summary>
    /// Maps <c>GET /metrics</c> (Prometheus text format 0.0.4) and <c>/healthz</c> on the HTTP port, and
    /// grpc.health.v1.Health plus server reflection (v1 and v1alpha) on the gRPC port. Everything else the
    /// service maps (its own gRPC services) is served on the gRPC port only.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var authentication = app.Services.GetRequiredService<IOptions<AuthenticationOptions>>().Value;
        if (authentication.MetricsRequireToken && authentication.Mode == AuthenticationMode.Tokens)
        {
            app.UseMiddleware<MetricsAuthenticationMiddleware>();
        }

        app.MapGrpcHealthAndReflection();
        app.MapPrometheusMetrics("/metrics").RequireHttpPort();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = HealthzResponseWriter.WriteAsync }).RequireHttpPort();

        var identity = app.Services.GetRequiredService<ServiceIdentity>();
        var hosting = app.Services.GetRequiredService<ServiceHostingOptions>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Cauchy.ServiceDefaults");
        if (authentication.Mode == AuthenticationMode.None)
        {
            logger.LogWarning("Authentication is OFF (Authentication:Mode=none): every caller may do everything. Use this only for tests.");
        }

        app.Lifetime.ApplicationStarted.Register(() => logger.LogInformation(
            "{Service} serves gRPC on {Scheme}://{Address}:{GrpcPort} and /metrics, /healthz on http://{Address}:{HttpPort}",
            identity.Name,
            hosting.UseTls ? "https" : "http",
            hosting.BindAddress,
            hosting.GrpcPort,
            hosting.BindAddress,
            hosting.HttpPort));
        return app;
    }

    /// <summary>Serves the endpoint on the HTTP port (next to <c>/metrics</c>) instead of the gRPC port.</summary>
    public static TBuilder RequireHttpPort<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(HttpPortEndpointMetadata.Instance);

    /// <summary>
    /// ASP.NET Core reads appsettings.json from the content root, which is the working directory: `make up` starts
    /// services from the repository root and tests from a data folder, where the service's own file is not. When the
    /// content root has no appsettings.json, the one shipped beside the service's assembly is added as the lowest
    /// source, so environment variables and the command line still override it.
    /// </summary>
    public static IConfigurationBuilder AddAppSettingsBesideAssembly(IConfigurationBuilder configuration, string contentRoot, string assemblyDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var own = Path.Combine(assemblyDirectory, "appsettings.json");
        if (!File.Exists(own) || File.Exists(Path.Combine(contentRoot, "appsettings.json")))
        {
            return configuration;
        }

        configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
        {
            Path = "appsettings.json",
            Optional = true,
            FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(Path.GetFullPath(assemblyDirectory)),
        });
        return configuration;
    }

    /// <summary>The log levels every service starts from, before appsettings.json (see <see cref="AddLogLevelDefaults"/>).</summary>
    public static readonly IReadOnlyDictionary<string, string?> LogLevelDefaults = new Dictionary<string, string?>
    {
        // EF Core logs every SQL command it runs at Information: thousands of lines an hour from a busy orchestrator.
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
    };

    /// <summary>
    /// Adds <see cref="LogLevelDefaults"/> as the lowest configuration source, so appsettings.json, environment
    /// variables and the command line still override them. Added once, however often it is called.
    /// </summary>
    public static IConfigurationBuilder AddLogLevelDefaults(IConfigurationBuilder configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (!configuration.Sources.Any(static s => s is Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData: var data } && ReferenceEquals(data, LogLevelDefaults)))
        {
            configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = LogLevelDefaults });
        }

        return configuration;
    }

    /// <summary>
    /// Adds the <c>CAUCHY_</c> environment variables just before the command line, so they override
    /// appsettings.json and plain environment variables while command-line arguments still win.
    /// </summary>
    public static IConfigurationBuilder AddCauchyEnvironmentVariables(IConfigurationBuilder configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var sources = configuration.Sources;
        if (sources.Any(static s => s is EnvironmentVariablesConfigurationSource { Prefix: EnvironmentPrefix }))
        {
            return configuration;
        }

        var source = new EnvironmentVariablesConfigurationSource { Prefix = EnvironmentPrefix };
        var commandLine = sources.ToList().FindIndex(static s => s is CommandLineConfigurationSource);
        if (commandLine < 0)
        {
            configuration.Add(source);
        }
        else
        {
            sources.Insert(commandLine, source);
        }

        return configuration;
    }

    private static void AddConsoleLogging(ILoggingBuilder logging, IConfiguration configuration)
    {
        var format = configuration["Logging:Format"];
        logging.ClearProviders();
        if (string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            logging.AddJsonConsole(static options =>
            {
                options.TimestampFormat = TimestampFormat;
                options.UseUtcTimestamp = true;
                options.IncludeScopes = true;
            });
        }
        else if (string.IsNullOrWhiteSpace(format) || string.Equals(format, "simple", StringComparison.OrdinalIgnoreCase))
        {
            // One line per entry with control characters escaped (user input must not forge or split log lines);
            // the json writer above escapes them itself.
            logging.AddConsole(static options => options.FormatterName = EscapingConsoleFormatter.FormatterName);
            logging.AddConsoleFormatter<EscapingConsoleFormatter, ConsoleFormatterOptions>(static options =>
            {
                options.TimestampFormat = TimestampFormat + " ";
                options.UseUtcTimestamp = true;
            });
        }
        else
        {
            throw new InvalidOperationException($"Logging:Format must be 'simple' or 'json', not '{format}'.");
        }
    }
}
