using ValkeyDashboard.Cluster.Connections;

namespace ValkeyDashboard.Cluster.Monitoring;

/// <summary>
/// Whether a node that has <c>CLUSTER SLOT-STATS</c> also reports CPU and network per slot (<c>cluster-slot-stats-enabled</c>),
/// for the nodes whose SLOT-STATS reply cannot tell (replicas, which the monitor does not ask for statistics, and primaries
/// without slots): <c>CONFIG GET</c>, asked again only after <paramref name="recheckAfter"/>.
/// </summary>
public sealed class SlotStatsSettingChecks(ValkeyAdminClient valkey, TimeSpan recheckAfter, TimeProvider timeProvider)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (bool Enabled, DateTimeOffset At)> _known = new(StringComparer.Ordinal);

    /// <summary>The setting of <paramref name="nodeId"/>, or null when the node did not answer (and never did).</summary>
    public async Task<bool?> EnabledAsync(string nodeId, string endpoint)
    {
        var now = timeProvider.GetUtcNow();
        lock (_gate)
        {
            if (_known.TryGetValue(nodeId, out var known) && now - known.At < recheckAfter)
            {
                return known.Enabled;
            }
        }

        try
        {
            var enabled = string.Equals(await valkey.ConfigGetAsync(endpoint, "cluster-slot-stats-enabled"), "yes", StringComparison.OrdinalIgnoreCase);
            lock (_gate)
            {
                _known[nodeId] = (enabled, now);
            }

            return enabled;
        }
        catch (ValkeyException)
        {
            lock (_gate)
            {
                return _known.TryGetValue(nodeId, out var known) ? known.Enabled : null;
            }
        }
    }
}
