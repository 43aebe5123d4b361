using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;

namespace ValkeyDashboard.Components.Layout;

public partial class MainLayout
{
    private ClusterSnapshotWatcher? _watcher;
    private bool _isDarkMode;

    [Inject]
    public required IClusterSnapshotSource Monitor { get; init; }

    [Inject]
    public required IOptions<ValkeyOptions> Options { get; init; }

    private ClusterSnapshot Snapshot => _watcher?.Snapshot ?? Monitor.Current;

    protected override void OnInitialized() => _watcher = new ClusterSnapshotWatcher(Monitor, () => InvokeAsync(StateHasChanged));

    public async ValueTask DisposeAsync()
    {
        if (_watcher is not null)
        {
            await _watcher.DisposeAsync();
        }
    }
}
