using System.Diagnostics;
using Grpc.Core;

namespace Cauchy.Reliability.Tests;

/// <summary>
/// Polling bounded by a deadline, with a message that says what did not happen: the scenarios wait for real processes
/// on a machine that may be busy, so no wait assumes a speed and none is a fixed sleep alone.
/// </summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="read"/> until <paramref name="done"/> accepts its value; a call that fails (the service is down) counts as not yet.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, Func<T?, string> what)
    {
        var clock = Stopwatch.StartNew();
        T? value = default;
        Exception? last = null;
        while (true)
        {
            try
            {
                value = await read();
                if (done(value))
                {
                    return value;
                }
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or IOException or TaskCanceledException)
            {
                last = e;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"waited {timeout.TotalSeconds:F0} s for {what(value)}{(last is null ? "" : $"\nlast error: {last.Message}")}");
            }

            await Task.Delay(250);
        }
    }
}
