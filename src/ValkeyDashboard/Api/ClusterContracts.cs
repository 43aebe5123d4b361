using System.ComponentModel;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Api;

/// <summary>The cluster as the monitor last read it.</summary>
/// <param name="State">ok, fail (some slots unserved), unreachable (no node answered) or unknown (not read yet).</param>
/// <param name="SlotsAssigned">Slots assigned to a primary, 16384 when fully covered.</param>
/// <param name="Nodes">Primaries (by first slot), then replicas.</param>
/// <param name="Timestamp">When the snapshot was taken.</param>
/// <param name="Error">Why the cluster could not be read, when it could not.</param>
/// <param name="Monitor">How often the dashboard reads the cluster now (null before the first poll).</param>
public sealed record ClusterResponse(
    ClusterState State,
    int SlotsAssigned,
    IReadOnlyList<NodeResponse> Nodes,
    DateTimeOffset Timestamp,
    string? Error,
    MonitorCadenceResponse? Monitor = null) : ClusterMessage
{
    /// <param name="snapshot">The monitor's snapshot.</param>
    /// <param name="processes">The embedded cluster's process of a node by endpoint (none in External mode).</param>
    public static ClusterResponse From(ClusterSnapshot snapshot, Func<string, NodeProcess?>? processes = null) => new(
        snapshot.State,
        snapshot.SlotsAssigned,
        [.. snapshot.Nodes.Select(n => NodeResponse.From(n, processes?.Invoke(n.Endpoint)))],
        snapshot.Timestamp,
        snapshot.Error,
        snapshot.Cadence is { } cadence ? MonitorCadenceResponse.From(cadence) : null);
}

/// <summary>The monitor's cadence: polls start every <c>pollIntervalMs</c>; more than configured while polls take longer than it allows.</summary>
/// <param name="ConfiguredPollIntervalMs">Valkey:PollInterval.</param>
/// <param name="PollIntervalMs">The interval in force (stretched to twice a poll's duration while polls do not fit).</param>
/// <param name="LastPollMs">How long the last full poll of every node took.</param>
/// <param name="Slow">Polls do not fit the configured interval: the dashboard reads the cluster less often than configured.</param>
public sealed record MonitorCadenceResponse(long ConfiguredPollIntervalMs, long PollIntervalMs, long LastPollMs, bool Slow)
{
    public static MonitorCadenceResponse From(MonitorCadence cadence) => new(
        (long)cadence.ConfiguredInterval.TotalMilliseconds, (long)cadence.Interval.TotalMilliseconds, (long)cadence.LastPollDuration.TotalMilliseconds, cadence.IsSlow);
}

/// <summary>One node of the cluster.</summary>
/// <param name="Id">40-hex node id.</param>
/// <param name="Endpoint">host:port.</param>
/// <param name="Role">primary or replica.</param>
/// <param name="PrimaryId">For a replica, its primary's id.</param>
/// <param name="Health">online, failed or loading.</param>
/// <param name="Version">Server version (Valkey's, or Redis's on a Redis node), null when the node did not answer.</param>
/// <param name="Slots">Inclusive [start, end] slot ranges served by the node's shard.</param>
/// <param name="Keys">Keys on the node (INFO keyspace).</param>
/// <param name="UsedMemoryBytes">INFO used_memory.</param>
/// <param name="OpsPerSecond">INFO instantaneous_ops_per_sec.</param>
/// <param name="Error">Why the dashboard could not read the node.</param>
/// <param name="Product">valkey, redis, or unknown when the node did not answer.</param>
/// <param name="Capabilities">
/// What the node's server offers the dashboard: cluster-shards, slot-stats (CLUSTER SLOT-STATS, Valkey 8+),
/// slot-stats-load (its CPU and network per slot, when cluster-slot-stats-enabled), atomic-slot-migration
/// (CLUSTER MIGRATESLOTS, Valkey 9+), key-migration (SETSLOT + MIGRATE, every server); empty when it did not answer.
/// </param>
/// <param name="Process">The embedded cluster's process of the node (null in External mode).</param>
public sealed record NodeResponse(
    [property: Description("40-hex node id")] string Id,
    string Endpoint,
    NodeRole Role,
    string? PrimaryId,
    NodeHealth Health,
    string? Version,
    IReadOnlyList<int[]> Slots,
    long? Keys,
    long? UsedMemoryBytes,
    long? OpsPerSecond,
    string? Error,
    ServerProduct Product,
    IReadOnlyList<string> Capabilities,
    NodeProcessResponse? Process = null)
{
    public static NodeResponse From(ClusterNode node) => From(node, null);

    public static NodeResponse From(ClusterNode node, NodeProcess? process) => new(
        node.Id,
        node.Endpoint,
        node.Role,
        node.PrimaryId,
        node.Health,
        node.Version,
        [.. node.Slots.Ranges.Select(r => new[] { r.Start, r.End })],
        node.Keys,
        node.UsedMemoryBytes,
        node.OpsPerSecond,
        node.Error,
        node.Product,
        NodeCapabilityNames.Of(node.Capabilities),
        process is null ? null : new NodeProcessResponse(process.ProcessId, process.Adopted, process.Drift));
}

/// <summary>A node's process in the embedded cluster.</summary>
/// <param name="Pid">Its pid while it runs.</param>
/// <param name="Adopted">Left running by an earlier run of the dashboard and adopted by this one (not restarted).</param>
/// <param name="Drift">How it differs from what is configured now, e.g. "runs Valkey 9.0.0 …; the configured binaries are …: a rolling restart upgrades it".</param>
public sealed record NodeProcessResponse(int? Pid, bool Adopted, IReadOnlyList<string> Drift);

/// <summary>
/// Per-slot owner and figures as compact arrays of 16,384 entries (index = slot).
/// <c>owner[s]</c> indexes <c>primaries</c> (-1: unassigned). CPU and network arrays are null
/// where slot statistics are off.
/// </summary>
public sealed record SlotsResponse(
    DateTimeOffset Timestamp,
    IReadOnlyList<string> Primaries,
    short[] Owner,
    IReadOnlyList<long> Keys,
    IReadOnlyList<long>? CpuUsec,
    IReadOnlyList<long>? NetworkBytesIn,
    IReadOnlyList<long>? NetworkBytesOut) : ClusterMessage
{
    public static SlotsResponse From(ClusterSnapshot snapshot)
    {
        var primaries = snapshot.Primaries.Select(p => p.Id).ToList();
        var index = primaries.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => (short)p.i);
        var owner = new short[SlotRange.SlotCount];
        for (var slot = 0; slot < owner.Length; slot++)
        {
            owner[slot] = snapshot.SlotOwners[slot] is { } id && index.TryGetValue(id, out var i) ? i : (short)-1;
        }

        var stats = snapshot.SlotStatistics;
        return new SlotsResponse(snapshot.Timestamp, primaries, owner, stats.KeyCount, stats.CpuUsec, stats.NetworkBytesIn, stats.NetworkBytesOut);
    }
}
