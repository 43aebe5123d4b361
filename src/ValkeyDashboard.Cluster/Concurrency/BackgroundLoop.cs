namespace ValkeyDashboard.Cluster.Concurrency;

/// <summary>
/// A loop a service runs in the background between its start and its stop: the task, and the token that ends it.
/// Stopping is idempotent, because the host stops a service and the container then disposes it (once per
/// registration).
/// </summary>
public sealed class BackgroundLoop
{
    private CancellationTokenSource? _stopping;
    private Task? _loop;

    /// <summary>Runs <paramref name="body"/> on the thread pool until <see cref="StopAsync"/>.</summary>
    public void Start(Func<CancellationToken, Task> body)
    {
        var stopping = new CancellationTokenSource();
        if (Interlocked.CompareExchange(ref _stopping, stopping, null) is not null)
        {
            stopping.Dispose();
            throw new InvalidOperationException("the loop is already running");
        }

        _loop = Task.Run(() => body(stopping.Token), CancellationToken.None);
    }

    /// <summary>Cancels the loop and waits for it to end (or for <paramref name="cancellationToken"/>); false when it was not running.</summary>
    public async Task<bool> StopAsync(CancellationToken cancellationToken)
    {
        var stopping = Interlocked.Exchange(ref _stopping, null);
        var loop = Interlocked.Exchange(ref _loop, null);
        if (stopping is null)
        {
            return false;
        }

        await stopping.CancelAsync();
        try
        {
            if (loop is not null)
            {
                await loop.WaitAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The loop ended by cancellation, or the host gave up waiting.
        }
        finally
        {
            stopping.Dispose();
        }

        return true;
    }
}
