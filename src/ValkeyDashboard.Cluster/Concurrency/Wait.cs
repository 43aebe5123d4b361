using System.Diagnostics;
using ValkeyDashboard.Cluster.Connections;

namespace ValkeyDashboard.Cluster.Concurrency;

/// <summary>Waiting on a condition with a deadline: never a fixed sleep, never an unbounded loop.</summary>
public static class Wait
{
    /// <summary>
    /// Checks <paramref name="condition"/> every <paramref name="interval"/> (default 100 ms) until it returns true;
    /// throws <see cref="TimeoutException"/> naming <paramref name="what"/> after <paramref name="timeout"/>, also when
    /// one check hangs (its token is cancelled at the deadline and it is not waited for beyond it).
    /// An exception from a check counts as "not yet" only when <paramref name="retryOn"/> says so (by default a
    /// <see cref="ValkeyException"/>: a node that does not answer or refuses for now, as nodes do while a cluster
    /// forms); any other exception, an assertion failure included, ends the wait at once. The last "not yet"
    /// exception is attached to the timeout.
    /// </summary>
    public static async Task UntilAsync(
        Func<CancellationToken, Task<bool>> condition,
        TimeSpan timeout,
        string what,
        TimeSpan? interval = null,
        Func<Exception, bool>? retryOn = null,
        CancellationToken cancellationToken = default)
    {
        retryOn ??= static ex => ex is ValkeyException;
        var clock = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        Exception? last = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var remaining = timeout - clock.Elapsed;
                if (remaining > TimeSpan.Zero && await condition(deadline.Token).WaitAsync(remaining, cancellationToken))
                {
                    return;
                }

                last = null;
            }
            catch (TimeoutException) when (clock.Elapsed >= timeout && !cancellationToken.IsCancellationRequested)
            {
                // The check itself did not finish before the deadline.
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // The check gave up when the deadline cancelled its token.
            }
            catch (Exception ex) when (ex is not OperationCanceledException && retryOn(ex))
            {
                last = ex;
            }

            if (clock.Elapsed >= timeout)
            {
                var reason = last is null ? string.Empty : $" (last error: {last.Message})";
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}{reason}", last);
            }

            var pause = interval ?? TimeSpan.FromMilliseconds(100);
            var left = timeout - clock.Elapsed;
            await Task.Delay(pause < left ? pause : left, cancellationToken);
        }
    }
}
