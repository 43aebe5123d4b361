using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Restarts;

/// <summary>How a node is restarted without taking its slots offline. Wire values are part of the API.</summary>
public enum RestartKind
{
    /// <summary>A replica: restarted in place; its primary keeps serving.</summary>
    Replica = 0,

    /// <summary>A primary that serves slots: failed over to an in-sync replica first, then restarted (it returns as a replica).</summary>
    Failover = 1,

    /// <summary>A primary that serves no slot: restarted in place, no client can notice.</summary>
    EmptyPrimary = 2,
}

/// <summary>What restarting a node will do, said before anything is done.</summary>
/// <param name="NodeId">The node restarted.</param>
/// <param name="Endpoint">Its endpoint.</param>
/// <param name="Kind">In place, or through a failover.</param>
/// <param name="FailoverToId">For a failover, the replica that takes over.</param>
/// <param name="FailoverToEndpoint">Its endpoint.</param>
/// <param name="Description">What will happen, in a sentence for the confirmation dialog and the audit log.</param>
public sealed record RestartPlan(string NodeId, string Endpoint, RestartKind Kind, string? FailoverToId, string? FailoverToEndpoint, string Description);

/// <summary>How a replica's link to its primary stands (from both sides' <c>INFO replication</c>).</summary>
/// <param name="NodeId">The replica.</param>
/// <param name="InSync">Online at its primary, acknowledged within the last second, and its own link up.</param>
/// <param name="Detail">Why not, when it is not.</param>
public sealed record ReplicaSync(string NodeId, bool InSync, string Detail);

/// <summary>Something running that a restart of a node must not cut across: a migration or plan that moves slots of its shard.</summary>
/// <param name="NodeIds">The primaries it moves slots from or to.</param>
/// <param name="What">"migration m-…", "plan p-…".</param>
public sealed record BusyWork(ImmutableArray<string> NodeIds, string What);

/// <summary>
/// Decides how a node is restarted, or why it may not be now: the cluster must be ok, the node running, no migration or
/// plan may move slots of its shard, and a primary that serves slots needs an in-sync replica to fail over to. Pure:
/// the observations come in, the plan (or the refusal) goes out.
/// </summary>
public static class RestartPreflight
{
    public static RestartPlan Decide(ClusterSnapshot snapshot, string nodeId, IReadOnlyCollection<ReplicaSync> replicas, IEnumerable<BusyWork> busy, bool failBack)
    {
        var node = snapshot.FindNode(nodeId) ?? throw RequestRefusedException.NotFound($"there is no node {nodeId} in this cluster");
        if (snapshot.State != ClusterState.Ok)
        {
            throw RequestRefusedException.Conflict($"the cluster is {snapshot.State.ToString().ToLowerInvariant()}: a node is restarted only while the cluster is ok, so that no slot goes unserved");
        }

        if (node.Health != NodeHealth.Online)
        {
            throw RequestRefusedException.Conflict($"node {node.Endpoint} is {node.Health.ToString().ToLowerInvariant()}, not running: start it instead of restarting it");
        }

        var shard = node.IsPrimary ? node.Id : node.PrimaryId;
        if (busy.FirstOrDefault(b => b.NodeIds.Contains(node.Id) || (shard is not null && b.NodeIds.Contains(shard))) is { } work)
        {
            var whose = work.NodeIds.Contains(node.Id) ? node.Endpoint : $"its primary {snapshot.FindNode(shard!)?.Endpoint ?? shard}";
            throw RequestRefusedException.Conflict($"{work.What} moves slots to or from {whose}; restart {node.Endpoint} once it has ended");
        }

        if (!node.IsPrimary)
        {
            var primary = snapshot.FindNode(node.PrimaryId ?? string.Empty);
            return new RestartPlan(node.Id, node.Endpoint, RestartKind.Replica, null, null,
                $"restart replica {node.Endpoint} in place and wait until it is in sync again; its primary {primary?.Endpoint ?? node.PrimaryId} keeps serving");
        }

        if (node.Slots.IsEmpty)
        {
            return new RestartPlan(node.Id, node.Endpoint, RestartKind.EmptyPrimary, null, null,
                $"restart primary {node.Endpoint} in place: it serves no slot, so no client is affected");
        }

        var candidates = snapshot.ReplicasOf(node.Id).Where(r => r.Health == NodeHealth.Online).OrderBy(r => r.Endpoint, StringComparer.Ordinal).ToList();
        var inSync = candidates.FirstOrDefault(r => replicas.Any(s => s.NodeId == r.Id && s.InSync));
        if (inSync is null)
        {
            var why = candidates.Count == 0
                ? "it has no online replica"
                : "none of its replicas is in sync (" + string.Join("; ", candidates.Select(r => $"{r.Endpoint}: {replicas.FirstOrDefault(s => s.NodeId == r.Id)?.Detail ?? "no replication figures"}")) + ")";
            throw RequestRefusedException.Conflict(
                $"primary {node.Endpoint} serves {node.Slots.SlotCount:N0} slots and {why}: restarting it would leave them unserved. Add a replica, or wait until one has caught up");
        }

        var back = failBack ? $", then fail back so {node.Endpoint} is the primary again" : $" of {inSync.Endpoint}";
        return new RestartPlan(node.Id, node.Endpoint, RestartKind.Failover, inSync.Id, inSync.Endpoint,
            $"fail primary {node.Endpoint} over to its in-sync replica {inSync.Endpoint} (CLUSTER FAILOVER, no write lost), restart {node.Endpoint} and wait until it is in sync as a replica{back}");
    }
}
