using System.Threading.Channels;
using Grpc.Core;
using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Grpc.HealthCheck;

/// <summary>
/// The standard <c>grpc.health.v1.Health</c> service: a thread-safe table of serving statuses by
/// service name ("" is the server as a whole) that Check reads and Watch streams.
/// Named like the official Grpc.HealthCheck package's class, so code that uses it keeps compiling
/// when the official packages replace ours.
/// </summary>
public class HealthServiceImpl : Grpc.Health.V1.Health.HealthBase
{
    // One lock guards the table and the watcher lists together, so a watcher registers and reads
    // the current status atomically: no change can slip between the two.
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Channel<ServingStatus>>> _watchers = new(StringComparer.Ordinal);
    private bool _watchersCompleted;

    /// <summary>Sets a service's status; watchers of that service see it if it differs from the last one.</summary>
    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_gate)
        {
            if (_statuses.TryGetValue(service, out var current) && current == status)
            {
                return;
            }
            _statuses[service] = status;
            NotifyLocked(service, status);
        }
    }

    /// <summary>Forgets a service: Check answers NOT_FOUND for it and its watchers see SERVICE_UNKNOWN.</summary>
    public void ClearStatus(string service)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_gate)
        {
            if (_statuses.Remove(service))
            {
                NotifyLocked(service, ServingStatus.ServiceUnknown);
            }
        }
    }

    /// <summary>Forgets every service; every watcher sees SERVICE_UNKNOWN.</summary>
    public void ClearAll()
    {
        lock (_gate)
        {
            foreach (var service in _statuses.Keys)
            {
                NotifyLocked(service, ServingStatus.ServiceUnknown);
            }
            _statuses.Clear();
        }
    }

    /// <summary>
    /// Ends every Watch call once it has sent the statuses set so far, and makes later Watch calls
    /// end after their first answer. For server shutdown: open Watch streams would otherwise hold
    /// the server until its shutdown timeout, and clients learn from the stream's end to look elsewhere.
    /// </summary>
    public void CompleteWatchers()
    {
        lock (_gate)
        {
            _watchersCompleted = true;
            foreach (var channel in _watchers.Values.SelectMany(list => list))
            {
                channel.Writer.TryComplete();
            }
        }
    }

    public override Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            if (_statuses.TryGetValue(request.Service, out var status))
            {
                return Task.FromResult(new HealthCheckResponse { Status = status });
            }
        }
        throw ServiceNotFound(request.Service);
    }

    public override async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);

        // Capacity one, dropping the oldest: a slow client skips intermediate statuses but always
        // ends up with the latest one, which is what the protocol asks for, and memory stays bounded.
        var channel = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(1)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
        });
        var service = request.Service;
        lock (_gate)
        {
            channel.Writer.TryWrite(_statuses.TryGetValue(service, out var status) ? status : ServingStatus.ServiceUnknown);
            if (_watchersCompleted)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                if (!_watchers.TryGetValue(service, out var list))
                {
                    _watchers[service] = list = [];
                }
                list.Add(channel);
            }
        }

        try
        {
            ServingStatus? lastSent = null;
            await foreach (var status in channel.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                // Dropped intermediate values can make the same status arrive twice in a row
                // (SERVING, NOT_SERVING, SERVING seen as SERVING, SERVING); a watcher wants changes only.
                if (status == lastSent)
                {
                    continue;
                }
                await responseStream.WriteAsync(new HealthCheckResponse { Status = status }).ConfigureAwait(false);
                lastSent = status;
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client went away (or the server is stopping): that is how a Watch normally ends.
        }
        finally
        {
            lock (_gate)
            {
                if (_watchers.TryGetValue(service, out var list) && list.Remove(channel) && list.Count == 0)
                {
                    _watchers.Remove(service);
                }
            }
        }
    }

    private void NotifyLocked(string service, ServingStatus status)
    {
        if (_watchers.TryGetValue(service, out var list))
        {
            foreach (var channel in list)
            {
                channel.Writer.TryWrite(status);
            }
        }
    }

    private static RpcException ServiceNotFound(string service) =>
        new(new Status(StatusCode.NotFound, service.Length == 0
            ? "The server has not reported an overall health status yet."
            : $"Service '{service}' is unknown to this server's health service."));
}
