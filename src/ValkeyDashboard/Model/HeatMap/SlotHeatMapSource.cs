using System.Threading.Channels;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Concurrency;

namespace ValkeyDashboard.Model.HeatMap;

/// <summary>
/// The heat map's layers for every browser: follows the monitor and quantises each snapshot once, however many
/// pages are open (and not at all while none is). Subscribe with <see cref="WatchAsync"/>.
/// </summary>
public sealed class SlotHeatMapSource(IClusterSnapshotSource cluster, ILogger<SlotHeatMapSource> logger) : BackgroundService
{
    private readonly SubscriberChannels<SlotHeatLayers> _subscribers = new(() => Channel.CreateBounded<SlotHeatLayers>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true }));

    private readonly Lock _gate = new();
    private ClusterSnapshot? _previous;
    private ClusterSnapshot? _latest;
    private SlotHeatLayers _current = SlotHeatLayers.Empty;

    /// <summary>The layers of the latest snapshot (built now if no browser asked for them yet).</summary>
    public SlotHeatLayers Current
    {
        get
        {
            lock (_gate)
            {
                if (_latest is not null && _current.Version != _latest.Version)
                {
                    _current = SlotHeatLayers.From(_latest, _previous, _current);
                }

                return _current;
            }
        }
    }

    /// <summary>The current layers, then those of every new snapshot (a slow reader gets the newest, skipping some).</summary>
    public IAsyncEnumerable<SlotHeatLayers> WatchAsync(CancellationToken cancellationToken = default) =>
        _subscribers.SubscribeAsync(() => Current, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var snapshot in cluster.WatchAsync(stoppingToken))
            {
                try
                {
                    Follow(snapshot);
                }
                catch (Exception ex)
                {
                    logger.LogError(ex, "Could not build the heat map of snapshot {Version}", snapshot.Version);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _subscribers.CompleteAll();
        }
    }

    private void Follow(ClusterSnapshot snapshot)
    {
        if (snapshot.State == ClusterState.Unknown)
        {
            return;
        }

        lock (_gate)
        {
            if (_latest is not null && _latest.Version == snapshot.Version)
            {
                return;
            }

            _previous = _latest;
            _latest = snapshot;
        }

        if (_subscribers.Count > 0)
        {
            var layers = Current;
            _subscribers.Publish(layers);
        }
    }
}
