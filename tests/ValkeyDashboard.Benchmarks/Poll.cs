using System.Diagnostics;

namespace ValkeyDashboard.Benchmarks;

/// <summary>Waiting for a condition with a deadline, never a fixed sleep.</summary>
internal static class Poll
{
    /// <summary>Interval of the polls that are part of a measurement.</summary>
    public static readonly TimeSpan MeasurementInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>Interval of the untimed waits between measurements.</summary>
    public static readonly TimeSpan SetupInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Calls <paramref name="notReadyBecause"/> every <paramref name="interval"/> until it returns null; after
    /// <paramref name="timeout"/> fails the run with the last reason it gave.
    /// </summary>
    public static async Task UntilAsync(string what, Func<Task<string?>> notReadyBecause, TimeSpan timeout, TimeSpan interval, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var reason = await notReadyBecause();
            if (reason is null)
            {
                return;
            }

            if (clock.Elapsed > timeout)
            {
                throw new BenchmarkFailedException($"timed out after {timeout.TotalSeconds:0} s waiting for {what}: {reason}");
            }

            await Task.Delay(interval, cancellationToken);
        }
    }
}
