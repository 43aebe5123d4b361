using System.Collections.Immutable;

namespace ValkeyDashboard.Cluster.Model;

/// <summary>An immutable picture of the cluster at one moment; the monitor publishes a new one every poll.</summary>
public sealed record ClusterSnapshot
{
    /// <summary>The snapshot before the first poll.</summary>
    public static ClusterSnapshot Initial { get; } = new()
    {
        State = ClusterState.Unknown,
        Nodes = [],
        SlotOwners = new string?[SlotRange.SlotCount].ToImmutableArray(),
        SlotStatistics = SlotStatistics.Empty,
        Timestamp = DateTimeOffset.MinValue,
    };

    public required ClusterState State { get; init; }

    /// <summary>Slots assigned to some primary (<c>cluster_slots_assigned</c>).</summary>
    public int SlotsAssigned { get; init; }

    /// <summary>Slots whose primary no node marks failing (<c>cluster_slots_ok</c>).</summary>
    public int SlotsOk { get; init; }

    /// <summary>Slots whose primary the cluster agreed has failed (<c>cluster_slots_fail</c>).</summary>
    public int SlotsFailed { get; init; }

    /// <summary>Every node, primaries first (by first slot), each followed by nothing: replicas are listed after all primaries.</summary>
    public required ImmutableArray<ClusterNode> Nodes { get; init; }

    /// <summary>The owning primary's id per slot, null where unassigned. Always 16,384 entries.</summary>
    public required ImmutableArray<string?> SlotOwners { get; init; }

    public required SlotStatistics SlotStatistics { get; init; }

    /// <summary>When the poll that produced this snapshot finished.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Why the cluster could not be read, when it could not.</summary>
    public string? Error { get; init; }

    /// <summary>How often the monitor reads the cluster now and how long its last poll took; null before the first poll.</summary>
    public MonitorCadence? Cadence { get; init; }

    /// <summary>Increases by one with every published snapshot.</summary>
    public long Version { get; init; }

    public IEnumerable<ClusterNode> Primaries => Nodes.Where(n => n.IsPrimary);

    public ClusterNode? FindNode(string id) => Nodes.FirstOrDefault(n => string.Equals(n.Id, id, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<ClusterNode> ReplicasOf(string primaryId) => Nodes.Where(n => n.PrimaryId == primaryId);
}
