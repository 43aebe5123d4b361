using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;

namespace ValkeyDashboard.Components;

/// <summary>
/// Follows the monitor for one component: keeps the latest snapshot and asks the component to
/// re-render, at most once per <see cref="MinimumRenderInterval"/> (extra snapshots in between are
/// dropped, the newest is shown). Dispose it with the component.
/// </summary>
public sealed class ClusterSnapshotWatcher : IAsyncDisposable
{
    public static readonly TimeSpan MinimumRenderInterval = TimeSpan.FromMilliseconds(200);

    private readonly CancellationTokenSource _cts = new();
    private readonly Task _loop;

    /// <param name="monitor">The source of snapshots.</param>
    /// <param name="onChanged">Called (not on the renderer's thread) after <see cref="Snapshot"/> changed; use <c>InvokeAsync(StateHasChanged)</c>.</param>
    public ClusterSnapshotWatcher(IClusterSnapshotSource monitor, Func<Task> onChanged)
    {
        Snapshot = monitor.Current;
        _loop = RunAsync(monitor, onChanged, _cts.Token);
    }

    public ClusterSnapshot Snapshot { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _cts.Dispose();
    }

    private async Task RunAsync(IClusterSnapshotSource monitor, Func<Task> onChanged, CancellationToken cancellationToken)
    {
        await Task.Yield();
        await foreach (var snapshot in monitor.WatchAsync(cancellationToken))
        {
            if (ReferenceEquals(snapshot, Snapshot))
            {
                continue;
            }

            Snapshot = snapshot;
            await onChanged();
            await Task.Delay(MinimumRenderInterval, cancellationToken);
        }
    }
}
