namespace ValkeyDashboard.Components;

/// <summary>
/// Coalesces re-render requests from a stream of changes: the first request schedules one render after
/// <see cref="Interval"/>, requests in between are absorbed by it (Aspire's throttle for live pages).
/// </summary>
public sealed class RenderThrottle(Func<Task> render)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(150);

    private int _pending;

    public void Request()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 1)
        {
            return;
        }

        _ = RenderLaterAsync();
    }

    private async Task RenderLaterAsync()
    {
        await Task.Delay(Interval);
        Volatile.Write(ref _pending, 0);
        try
        {
            await render();
        }
        catch (ObjectDisposedException)
        {
            // The component went away in between.
        }
    }
}
