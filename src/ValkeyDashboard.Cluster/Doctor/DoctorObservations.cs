using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Cluster.Doctor;

/// <summary>What the doctor read from one node (whatever the node's server offers; the rest stays empty).</summary>
/// <param name="Node">The node as the monitor sees it (role, version, capabilities).</param>
/// <param name="View">Its <c>CLUSTER NODES</c>; empty when it did not answer.</param>
/// <param name="SlotStatsEnabled">Its <c>cluster-slot-stats-enabled</c>; null when its server has no slot statistics or it did not answer.</param>
/// <param name="Migrations">Its <c>CLUSTER GETSLOTMIGRATIONS</c> (Valkey 9+); empty otherwise.</param>
/// <param name="Error">Why it could not be read, when it could not.</param>
public sealed record NodeObservation(
    ClusterNode Node,
    ImmutableArray<ClusterNodesEntry> View,
    string? SlotStatsEnabled,
    ImmutableArray<SlotMigrationLogEntry> Migrations,
    string? Error = null)
{
    /// <summary>The node as it sees itself (the <c>myself</c> line), when it answered.</summary>
    public ClusterNodesEntry? Myself => View.FirstOrDefault(e => e.IsMyself);
}

/// <summary>Everything the checks look at, gathered once per check-up: the checks are pure functions of it.</summary>
/// <param name="Snapshot">The monitor's picture of the cluster.</param>
/// <param name="Nodes">What each node of the snapshot answered, by node id.</param>
/// <param name="Now">When it was gathered.</param>
/// <param name="Options">The doctor's settings (e.g. when a migration counts as stalled).</param>
public sealed record DoctorObservations(
    ClusterSnapshot Snapshot,
    ImmutableDictionary<string, NodeObservation> Nodes,
    DateTimeOffset Now,
    DoctorOptions Options)
{
    /// <summary>Slots of the migrations this dashboard is running: their open slots are its work in progress, not debris.</summary>
    public SlotRangeSet SlotsBeingMoved { get; init; } = SlotRangeSet.Empty;

    /// <summary>The endpoint of a node by id, from the snapshot or else from any node's view.</summary>
    public string EndpointOf(string nodeId) =>
        Snapshot.FindNode(nodeId)?.Endpoint
        ?? Nodes.Values.SelectMany(n => n.View).FirstOrDefault(e => string.Equals(e.Id, nodeId, StringComparison.OrdinalIgnoreCase))?.Endpoint
        ?? nodeId;

    /// <summary>The nodes that answered, in endpoint order.</summary>
    public IEnumerable<NodeObservation> Answered => Nodes.Values.Where(n => n.Error is null && !n.View.IsEmpty).OrderBy(n => n.Node.Endpoint, StringComparer.Ordinal);
}
