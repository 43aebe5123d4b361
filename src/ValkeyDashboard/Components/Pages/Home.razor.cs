using Microsoft.AspNetCore.Components;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;

namespace ValkeyDashboard.Components.Pages;

/// <summary>The cluster at a glance: slot ownership, and a card per primary with its replicas, live from the monitor.</summary>
public partial class Home
{
    private ClusterSnapshotWatcher? _watcher;

    [Inject]
    public required IClusterSnapshotSource Monitor { get; init; }

    private ClusterSnapshot Snapshot => _watcher?.Snapshot ?? Monitor.Current;

    private int FailedCount => Snapshot.Nodes.Count(n => n.Health == NodeHealth.Failed);

    private long TotalKeys => Snapshot.Primaries.Sum(p => p.Keys ?? 0);

    private string Title => Snapshot.State switch
    {
        ClusterState.Ok => "Valkey Dashboard · ok",
        ClusterState.Unknown => "Valkey Dashboard",
        _ => $"Valkey Dashboard · {Snapshot.State.ToString().ToLowerInvariant()}",
    };

    protected override void OnInitialized() => _watcher = new ClusterSnapshotWatcher(Monitor, () => InvokeAsync(StateHasChanged));

    public async ValueTask DisposeAsync()
    {
        if (_watcher is not null)
        {
            await _watcher.DisposeAsync();
        }
    }
}
