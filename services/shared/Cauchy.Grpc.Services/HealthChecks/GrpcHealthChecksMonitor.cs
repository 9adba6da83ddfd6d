using Cauchy.Grpc.Services.Mapping;
using Grpc.HealthCheck;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Grpc.AspNetCore.HealthChecks;

/// <summary>
/// Keeps the health service's table in step with the application: every mapped service is
/// NOT_SERVING until the application has started, then follows the health checks it depends on
/// (re-run every <see cref="GrpcHealthChecksOptions.CheckInterval"/>), and turns NOT_SERVING the
/// moment the application begins to stop, so load balancers and Kubernetes stop sending traffic
/// while in-flight calls drain.
/// </summary>
internal sealed partial class GrpcHealthChecksMonitor(
    HealthServiceImpl health,
    HealthCheckService healthChecks,
    IOptions<HealthCheckServiceOptions> healthCheckOptions,
    IOptions<GrpcHealthChecksOptions> options,
    IMappedServices mappedServices,
    IHostApplicationLifetime lifetime,
    ILogger<GrpcHealthChecksMonitor> logger) : BackgroundService
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ServingStatus> _applied = new(StringComparer.Ordinal);
    private bool _stopping;
    private CancellationTokenRegistration _onStopping;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // A probe that arrives before the application has started learns "not yet" (NOT_SERVING)
        // rather than "no such service" (NOT_FOUND).
        lock (_gate)
        {
            ApplyLocked(AllServices(ServingStatus.NotServing), "the application has not started yet");
        }
        _onStopping = lifetime.ApplicationStopping.Register(OnApplicationStopping);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _onStopping.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WhenStartedAsync(stoppingToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(options.Value.CheckInterval);
            do
            {
                try
                {
                    await RefreshAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // An exception escaping a BackgroundService stops the whole host; a failure to
                    // evaluate the checks only means the dependencies are unverified.
                    LogRefreshFailed(exception);
                    lock (_gate)
                    {
                        if (!_stopping)
                        {
                            ApplyLocked(AllServices(ServingStatus.NotServing), "its health checks could not be evaluated");
                        }
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping; OnApplicationStopping has already reported NOT_SERVING.
        }
    }

    /// <summary>Runs the health checks once and publishes the statuses they imply.</summary>
    internal async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var report = await healthChecks.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        var statuses = GrpcHealthStatusRules.Evaluate(
            mappedServices.Snapshot().Select(service => service.FullName),
            options.Value,
            healthCheckOptions.Value.Registrations,
            report);
        var failing = string.Join(", ", GrpcHealthStatusRules.FailingChecks(report));
        lock (_gate)
        {
            // Checks can take a while; if stopping began meanwhile, their result must not turn a
            // service back to SERVING.
            if (!_stopping)
            {
                ApplyLocked(statuses, failing.Length == 0 ? "its health checks pass" : $"unhealthy: {failing}");
            }
        }
    }

    private void OnApplicationStopping()
    {
        lock (_gate)
        {
            _stopping = true;
            ApplyLocked(AllServices(ServingStatus.NotServing), "the application is stopping");
        }
        if (options.Value.CompleteWatchesOnShutdown)
        {
            health.CompleteWatchers();
        }
    }

    private async Task WhenStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult()).ConfigureAwait(false);
        await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
    }

    private Dictionary<string, ServingStatus> AllServices(ServingStatus status) =>
        GrpcHealthStatusRules.ServiceNames(mappedServices.Snapshot().Select(service => service.FullName), options.Value)
            .ToDictionary(service => service, _ => status, StringComparer.Ordinal);

    private void ApplyLocked(IReadOnlyDictionary<string, ServingStatus> statuses, string reason)
    {
        foreach (var (service, status) in statuses)
        {
            health.SetStatus(service, status);
            if (!_applied.TryGetValue(service, out var previous) || previous != status)
            {
                _applied[service] = status;
                LogStatusChanged(service.Length == 0 ? "(server)" : service, status, reason);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Evaluating the health checks behind the gRPC health service failed.")]
    private partial void LogRefreshFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "gRPC health of {Service} is now {Status}: {Reason}.")]
    private partial void LogStatusChanged(string service, ServingStatus status, string reason);
}
