namespace ValkeyDashboard.Components;

/// <summary>
/// Follows a service's live stream (a <c>WatchAsync</c>) for one component until the component is disposed: each item is
/// handed to a callback, and the end by <see cref="DisposeAsync"/> is the normal end, not an error. <see cref="Stopping"/>
/// is cancelled then too, for the commands the component sends meanwhile.
/// </summary>
public sealed class StreamFollower : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _following;

    private StreamFollower(Func<CancellationToken, Task> follow) => _following = follow(_stopping.Token);

    /// <summary>Cancelled when the component goes away.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Starts following <paramref name="stream"/>; <paramref name="onItem"/> runs on the stream's thread, so it renders with <c>InvokeAsync</c>.</summary>
    public static StreamFollower Start<T>(Func<CancellationToken, IAsyncEnumerable<T>> stream, Func<T, Task> onItem) =>
        new(async cancellationToken =>
        {
            try
            {
                await foreach (var item in stream(cancellationToken))
                {
                    await onItem(item);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        });

    /// <inheritdoc cref="Start{T}(Func{CancellationToken, IAsyncEnumerable{T}}, Func{T, Task})"/>
    public static StreamFollower Start<T>(Func<CancellationToken, IAsyncEnumerable<T>> stream, Action<T> onItem) =>
        Start(stream, item =>
        {
            onItem(item);
            return Task.CompletedTask;
        });

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _following;
        _stopping.Dispose();
    }
}
