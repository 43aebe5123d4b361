namespace ValkeyDashboard.Cluster.Model;

/// <summary>
/// Which per-slot figures the cluster's primaries can give, and in words why some cannot: CPU and network per slot need
/// <c>CLUSTER SLOT-STATS</c> (Valkey 8+) with <c>cluster-slot-stats-enabled yes</c>; keys per slot come from SLOT-STATS or,
/// on servers without it, from <c>CLUSTER COUNTKEYSINSLOT</c> sweeps. The page and the heat map say this instead of drawing zeros.
/// </summary>
/// <param name="LoadUnavailableReason">Why CPU and network per slot are not shown; null when every primary reports them.</param>
/// <param name="SweptKeysNote">Which primaries' keys per slot are swept (slower cadence) rather than read each poll; null when none.</param>
public sealed record SlotLayerAvailability(string? LoadUnavailableReason, string? SweptKeysNote)
{
    /// <summary>Whether the CPU and network layers have figures.</summary>
    public bool LoadAvailable => LoadUnavailableReason is null;

    /// <summary>Decided from the capabilities of the primaries that own slots and answered the last poll.</summary>
    public static SlotLayerAvailability Of(ClusterSnapshot snapshot)
    {
        var answering = snapshot.Primaries.Where(p => !p.Slots.IsEmpty && p.Capabilities != NodeCapabilities.None).ToList();
        var withoutStats = answering.Where(p => !p.Capabilities.HasFlag(NodeCapabilities.SlotStats)).ToList();
        var statsOff = answering.Where(p => p.Capabilities.HasFlag(NodeCapabilities.SlotStats) && !p.Capabilities.HasFlag(NodeCapabilities.SlotStatsLoad)).ToList();

        var reasons = new List<string>();
        string? swept = null;
        if (withoutStats.Count > 0)
        {
            var servers = string.Join(", ", withoutStats.Select(p => NodeCapabilityNames.DisplayName(p.Product, p.Version)).Distinct(StringComparer.Ordinal));
            var who = withoutStats.Count == answering.Count ? $"this cluster runs {servers}" : $"{Endpoints(withoutStats)} run {servers}";
            reasons.Add($"CPU and network per slot need CLUSTER SLOT-STATS (Valkey 8+); {who}.");
            swept = $"Keys per slot of {(withoutStats.Count == answering.Count ? "every primary" : Endpoints(withoutStats))} are counted with CLUSTER COUNTKEYSINSLOT sweeps, less often than the other figures.";
        }

        if (statsOff.Count > 0)
        {
            var who = statsOff.Count == answering.Count ? "the primaries" : Endpoints(statsOff);
            reasons.Add($"CPU and network per slot are off on {who} (cluster-slot-stats-enabled no).");
        }

        if (reasons.Count == 0 && snapshot.SlotStatistics.CpuUsec is null)
        {
            // No primary told why (none answered yet): what a cluster without the load metrics most often means.
            reasons.Add("CPU and network per slot are not reported: slot statistics are off on the primaries (cluster-slot-stats-enabled no).");
        }

        return new SlotLayerAvailability(reasons.Count == 0 ? null : string.Join(' ', reasons), swept);
    }

    private static string Endpoints(List<ClusterNode> nodes) => string.Join(", ", nodes.Select(n => n.Endpoint));
}
