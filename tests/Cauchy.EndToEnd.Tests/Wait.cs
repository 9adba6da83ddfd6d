using System.Diagnostics;

namespace Cauchy.EndToEnd.Tests;

/// <summary>
/// Polling with a generous deadline and a message that says what did not happen: the tests wait for real processes
/// on a machine that may be busy, so no wait assumes a speed.
/// </summary>
public static class Wait
{
    /// <summary>Returns once <paramref name="condition"/> holds; throws a <see cref="TimeoutException"/> naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what, Action? check = null, TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            check?.Invoke();
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or global::Grpc.Core.RpcException)
            {
                last = e;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"waited {timeout.TotalSeconds:F0} s for {what()}{(last is null ? "" : $"\nlast error: {last.Message}")}");
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>Polls <paramref name="read"/> until <paramref name="done"/> accepts its value, and returns that value.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, Func<T?, string> what, Action? check = null)
    {
        T? value = default;
        await UntilAsync(async () => done(value = await read()), timeout, () => what(value), check);
        return value!;
    }
}
