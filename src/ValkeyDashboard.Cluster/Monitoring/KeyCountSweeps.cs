using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Cluster.Monitoring;

/// <summary>
/// Per-slot key counts of primaries whose server has no <c>CLUSTER SLOT-STATS</c> (Redis, Valkey 7.2): a sweep sends
/// <c>CLUSTER COUNTKEYSINSLOT</c> for every slot the primary owns, pipelined in batches of
/// <see cref="MonitorOptions.KeyCountBatchSize"/>, at most every <see cref="MonitorOptions.KeyCountSweepInterval"/> (sooner
/// when its slots changed, so moved slots do not show stale counts for long). Between sweeps the last counts are
/// returned, shaped like a SLOT-STATS reply without load metrics, so the snapshot merges them the same way.
/// </summary>
public sealed class KeyCountSweeps(ValkeyAdminClient valkey, MonitorOptions options, TimeProvider timeProvider)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Sweep> _last = new(StringComparer.Ordinal);

    /// <summary>
    /// The key counts of <paramref name="primaryId"/>'s <paramref name="slots"/>: swept now when due, else the last
    /// sweep's. Null when no sweep of these slots has succeeded yet (the error propagates from a sweep that failed).
    /// </summary>
    public async Task<List<SlotStatsEntry>?> CountsAsync(string primaryId, string endpoint, SlotRangeSet slots, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        Sweep? last;
        lock (_gate)
        {
            _last.TryGetValue(primaryId, out last);
        }

        if (!IsDue(last, slots, now, options.KeyCountSweepInterval))
        {
            return last!.Entries;
        }

        var entries = new List<SlotStatsEntry>(slots.SlotCount);
        foreach (var batch in slots.Slots().Chunk(options.KeyCountBatchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var counts = await valkey.CountKeysPerSlotAsync(endpoint, batch);
            entries.AddRange(batch.Select((slot, i) => new SlotStatsEntry(slot, counts[i], null, null, null)));
        }

        lock (_gate)
        {
            _last[primaryId] = new Sweep(slots, now, entries);
        }

        return entries;
    }

    /// <summary>Drops what is kept of primaries no longer in <paramref name="primaryIds"/>.</summary>
    public void Keep(IReadOnlySet<string> primaryIds)
    {
        lock (_gate)
        {
            foreach (var id in _last.Keys.Where(id => !primaryIds.Contains(id)).ToList())
            {
                _last.Remove(id);
            }
        }
    }

    /// <summary>A sweep is due when there was none, the interval has passed, or the primary's slots are not those swept.</summary>
    internal static bool IsDue(Sweep? last, SlotRangeSet slots, DateTimeOffset now, TimeSpan interval) =>
        last is null || now - last.At >= interval || !last.Slots.Equals(slots);

    internal sealed record Sweep(SlotRangeSet Slots, DateTimeOffset At, List<SlotStatsEntry> Entries);
}
