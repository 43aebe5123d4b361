using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.History;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.Model.History;

/// <summary>
/// Records the slot history from the monitor's snapshots, in the background: each tier, when its interval rolled over,
/// stores the heat map's layers with CPU and network as rates over the tier's own interval (counters now against the
/// snapshot the tier last recorded), so a minute's point is the minute's average, not one second of it, kept to the
/// tier's load bits (<see cref="SlotHistoryOptions.LoadBitsOf"/>). Reads snapshots
/// from its own subscription (a slow write skips snapshots, never holds the monitor back); a failed write is logged
/// and the next interval tries again.
/// </summary>
public sealed class SlotHistoryRecorder(IClusterSnapshotSource cluster, SlotHistoryStore store, IOptions<SlotHistoryOptions> options, ILogger<SlotHistoryRecorder> logger)
    : BackgroundService
{
    private sealed class TierState
    {
        public ClusterSnapshot? Snapshot { get; set; }

        public SlotHeatLayers? Layers { get; set; }

        public DateTimeOffset? RecordedAt { get; set; }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var tiers = options.Value.EffectiveTiers;
        var states = tiers.Select(_ => new TierState()).ToArray();
        var failing = false;
        try
        {
            await foreach (var snapshot in cluster.WatchAsync(stoppingToken))
            {
                if (snapshot.State is ClusterState.Unknown or ClusterState.Unreachable)
                {
                    continue;
                }

                try
                {
                    for (var tier = 0; tier < tiers.Count; tier++)
                    {
                        await RecordAsync(tier, tiers[tier], states[tier], snapshot, stoppingToken);
                    }

                    failing = false;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Logged once per run of failures (a full disk fails every interval); the monitor goes on regardless.
                    if (!failing)
                    {
                        logger.LogError(ex, "Could not record the slot history of snapshot {Version}: {Reason}", snapshot.Version, ex.Message);
                    }

                    failing = true;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RecordAsync(int tier, SlotHistoryTier settings, TierState state, ClusterSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (!SlotHistoryTiers.IsDue(settings.Interval, state.RecordedAt, snapshot.Timestamp))
        {
            return;
        }

        var layers = SlotHeatLayers.From(snapshot, state.Snapshot, state.Layers);
        state.RecordedAt = snapshot.Timestamp;
        state.Snapshot = snapshot;
        state.Layers = layers;
        if (await store.AppendAsync(tier, layers.ToHistoryPoint(snapshot.Timestamp).WithLoadBits(options.Value.LoadBitsOf(tier)), cancellationToken))
        {
            await store.PruneAsync(tier, snapshot.Timestamp - settings.Retention, cancellationToken);
        }
    }
}
