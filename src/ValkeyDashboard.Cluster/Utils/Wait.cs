using System.Diagnostics;

namespace ValkeyDashboard.Cluster.Utils;

/// <summary>Waiting on a condition with a deadline: never a fixed sleep, never an unbounded loop.</summary>
public static class Wait
{
    /// <summary>
    /// Polls <paramref name="condition"/> every <paramref name="interval"/> (default 100 ms) until it
    /// returns true; throws <see cref="TimeoutException"/> naming <paramref name="what"/> after
    /// <paramref name="timeout"/>. Exceptions from the condition count as "not yet"; the last one is
    /// attached to the timeout.
    /// </summary>
    public static async Task UntilAsync(
        Func<CancellationToken, Task<bool>> condition,
        TimeSpan timeout,
        string what,
        TimeSpan? interval = null,
        CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (await condition(cancellationToken))
                {
                    return;
                }

                last = null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                last = ex;
            }

            if (clock.Elapsed >= timeout)
            {
                var reason = last is null ? string.Empty : $" (last error: {last.Message})";
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}{reason}", last);
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }
}
