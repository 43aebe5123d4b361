using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Parsing;
using ValkeyDashboard.Cluster.Plans;

namespace ValkeyDashboard.Cluster.Restarts;

/// <summary>
/// Restarts one node of the embedded cluster without taking a slot offline: a replica in place, waited for until it
/// is in sync again; a primary that serves slots first handed over to an in-sync replica with <c>CLUSTER FAILOVER</c>
/// (waited for until every node agrees), then restarted, back as a replica. One node restarts at a time. The decision
/// is <see cref="RestartPreflight"/>'s; this class gathers what it needs and carries the plan out.
/// </summary>
public sealed class NodeRestarter(
    LocalClusterHost host,
    ValkeyAdminClient valkey,
    ClusterMonitor monitor,
    MigrationRegistry migrations,
    PlanRegistry plans,
    IOptions<ValkeyOptions> options,
    ILogger<NodeRestarter> logger) : IDisposable
{
    /// <summary>
    /// StackExchange.Redis's configuration channel: its clients subscribe to it and reload the cluster's topology when a
    /// message arrives. They refuse to write to a node they have seen turn into a replica until they reload it
    /// (StackExchange.Redis issues 2181, 2890), which a failover otherwise leaves to their next periodic check.
    /// </summary>
    public const string StackExchangeRedisConfigurationChannel = "__Booksleeve_MasterChanged";

    /// <summary>The longest a former primary holds its clients' writes during a switch, should the dashboard not come back to release them.</summary>
    private static readonly TimeSpan WritePauseLimit = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _gate = new(1, 1);

    private EmbeddedClusterOptions Embedded => options.Value.Embedded;

    /// <summary>The topology as it is now.</summary>
    public Task<ClusterSnapshot> RefreshAsync(CancellationToken cancellationToken = default)
    {
        RequireEmbedded();
        return monitor.RefreshTopologyAsync(cancellationToken);
    }

    /// <summary>What restarting <paramref name="nodeId"/> would do now, or the refusal that says why it may not.</summary>
    public async Task<RestartPlan> PreviewAsync(string nodeId, bool failBack, CancellationToken cancellationToken = default)
    {
        RequireEmbedded();
        var snapshot = await monitor.RefreshTopologyAsync(cancellationToken);
        var node = snapshot.FindNode(nodeId) ?? throw RequestRefusedException.NotFound($"there is no node {nodeId} in this cluster");
        PortOf(node);
        var replicas = node.IsPrimary ? await ReplicaSyncAsync(snapshot, node) : [];
        return RestartPreflight.Decide(snapshot, node.Id, replicas, Busy(), failBack);
    }

    /// <summary>
    /// Restarts <paramref name="nodeId"/> as <see cref="PreviewAsync"/> says and returns the node as the cluster sees it
    /// afterwards. Refused when another restart runs, unless <paramref name="waitForTurn"/> (a rolling restart's step).
    /// </summary>
    public async Task<(RestartPlan Plan, ClusterNode Node)> RestartAsync(string nodeId, bool failBack, IProgress<string>? progress = null,
        bool waitForTurn = false, CancellationToken cancellationToken = default)
    {
        if (waitForTurn)
        {
            await _gate.WaitAsync(cancellationToken);
        }
        else if (!await _gate.WaitAsync(0, cancellationToken))
        {
            throw RequestRefusedException.Conflict("another node is being restarted: nodes restart one at a time");
        }

        try
        {
            // Decided again under the gate: the cluster may have changed since the operator saw the preview.
            var plan = await PreviewAsync(nodeId, failBack, cancellationToken);
            logger.LogInformation("Restarting {Endpoint}: {Plan}", plan.Endpoint, plan.Description);
            await CarryOutAsync(plan, failBack, progress, cancellationToken);
            var after = await monitor.RefreshTopologyAsync(cancellationToken);
            return (plan, after.FindNode(plan.NodeId) ?? throw new InvalidOperationException($"{plan.Endpoint} is gone from the topology after its restart"));
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>Migrations and plans that move slots now, with the primaries they involve.</summary>
    public IEnumerable<BusyWork> Busy() =>
        migrations.Active.Select(m => new BusyWork([m.TargetNodeId, .. m.Jobs.Select(j => j.SourceNodeId)], $"migration {m.Id}"))
            .Concat(plans.Active.Select(p => new BusyWork(
                [.. p.Moves.Where(move => !move.IsFinished).SelectMany(move => new[] { move.SourceNodeId, move.TargetNodeId })], $"plan {p.Id}")));

    private async Task CarryOutAsync(RestartPlan plan, bool failBack, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var port = PortOf(plan.Endpoint);
        if (plan.Kind != RestartKind.Failover)
        {
            progress?.Report($"restarting {plan.Endpoint}");
            await host.RestartNodeAsync(port, cancellationToken);
            await WaitUntilBackAsync(plan.NodeId, plan.Endpoint, cancellationToken);
            return;
        }

        var successor = plan.FailoverToEndpoint!;
        progress?.Report($"failing {plan.Endpoint} over to {successor}");
        await SwitchAsync(successor, plan.FailoverToId!, plan.Endpoint, plan.NodeId, cancellationToken);

        // Clients whose slot map still names the old primary get a MOVED from it instead of a refused connection: it is
        // stopped only once no client has been sent one for a grace period (bounded, so a client that never learns
        // cannot hold the restart forever).
        progress?.Report($"waiting until clients have left {plan.Endpoint}");
        await WaitUntilClientsLeftAsync(plan.Endpoint, cancellationToken);

        progress?.Report($"restarting {plan.Endpoint}");
        await host.RestartNodeAsync(port, cancellationToken);
        await WaitUntilBackAsync(plan.NodeId, plan.Endpoint, cancellationToken);

        // Again once it is back: a client that reconnects to it learns that it is a replica before it learns its primary.
        await AnnounceAsync(successor);

        if (failBack)
        {
            progress?.Report($"failing back to {plan.Endpoint}");
            await SwitchAsync(plan.Endpoint, plan.NodeId, successor, plan.FailoverToId!, cancellationToken);
        }
    }

    /// <summary>
    /// Waits until the former primary has answered no client with <c>MOVED</c> (<c>INFO errorstats</c>) for
    /// <c>Valkey:Embedded:FailoverGracePeriod</c>, or at most the start-up timeout.
    /// </summary>
    private async Task WaitUntilClientsLeftAsync(string endpoint, CancellationToken cancellationToken)
    {
        var grace = Embedded.FailoverGracePeriod;
        var limit = DateTimeOffset.UtcNow + Embedded.StartupTimeout;
        long? last = null;
        var quietSince = DateTimeOffset.UtcNow;
        while (DateTimeOffset.UtcNow < limit)
        {
            var moved = MovedReplies(await valkey.InfoAsync(endpoint, "errorstats"));
            if (moved != last)
            {
                last = moved;
                quietSince = DateTimeOffset.UtcNow;
            }
            else if (DateTimeOffset.UtcNow - quietSince >= grace)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        logger.LogWarning("Clients still reach {Endpoint} after {Timeout}; restarting it anyway", endpoint, Embedded.StartupTimeout);
    }

    /// <summary><c>errorstat_MOVED:count=N</c> of <c>INFO errorstats</c> (0 before the first).</summary>
    internal static long MovedReplies(InfoReply errorStats) =>
        errorStats["errorstat_MOVED"] is { } value && value.StartsWith("count=", StringComparison.Ordinal) &&
        long.TryParse(value.AsSpan(6).ToString().Split(',')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 0;

    /// <summary>Tells clients that listen for it (<see cref="StackExchangeRedisConfigurationChannel"/>) to reload the topology now.</summary>
    private async Task AnnounceAsync(string newPrimary)
    {
        try
        {
            await valkey.PublishAsync(newPrimary, StackExchangeRedisConfigurationChannel, newPrimary);
        }
        catch (ValkeyException ex)
        {
            // Only a hint to clients: the failover itself is done, and MOVED replies lead them too.
            logger.LogWarning("Could not announce the new primary {Endpoint} to clients: {Reason}", newPrimary, ex.Message);
        }
    }

    /// <summary>
    /// Fails the shard over from <paramref name="former"/> to <paramref name="successor"/> without a client noticing.
    /// A StackExchange.Redis client that is sent a MOVED by the former primary reloads the slot map but not the roles,
    /// and until it learns that the successor is no longer a replica it refuses the shard's writes client-side (measured
    /// here: a few refused writes per 100 ms, and thousands in a rolling restart). So the former primary holds its
    /// clients' writes (<c>CLIENT PAUSE WRITE</c>, bounded) from before the switch until clients have been told of the
    /// new primary — announced the moment the successor says it is primary, its connections from its replica days
    /// closed so clients reconnect and learn its role, announced again when every node agrees and once more shortly
    /// after (a client already reloading when an announcement comes ignores it) — and only then lets them go, to be
    /// redirected to a primary they know.
    /// </summary>
    private async Task SwitchAsync(string successor, string successorId, string former, string formerId, CancellationToken cancellationToken)
    {
        await valkey.ClientPauseWritesAsync(former, WritePauseLimit);
        try
        {
            await valkey.ClusterFailoverAsync(successor);
            await Wait.UntilAsync(
                async _ => (await valkey.InfoAsync(successor, "replication"))["role"] == "master",
                Embedded.StartupTimeout, $"{successor} to take over its shard", TimeSpan.FromMilliseconds(5), cancellationToken: cancellationToken);
            await AnnounceAsync(successor);
            await ReconnectClientsAsync(successor);
            await WaitForPrimaryAsync(successorId, successor, formerId, cancellationToken);
            await AnnounceAsync(successor);
            await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
            await AnnounceAsync(successor);
        }
        finally
        {
            await UnpauseAsync(former);
        }
    }

    /// <summary>
    /// Closes the client connections the successor took while it was a replica: StackExchange.Redis learns a node's
    /// role when it connects and does not always learn it again for a node it reconnected to (observed after that node
    /// was restarted), so its clients would go on refusing writes for the shard. Clients send the successor nothing
    /// but reads and pings while they take it for a replica; they reconnect at once and learn it is the primary.
    /// </summary>
    private async Task ReconnectClientsAsync(string successor)
    {
        try
        {
            var closed = await valkey.ClientKillNormalAsync(successor);
            logger.LogInformation("Closed {Count} client connections of {Endpoint}, opened while it was a replica, so its clients learn it is the primary", closed, successor);
        }
        catch (ValkeyException ex)
        {
            logger.LogWarning("Could not close the client connections of {Endpoint}: {Reason}", successor, ex.Message);
        }
    }

    private async Task UnpauseAsync(string endpoint)
    {
        try
        {
            await valkey.ClientUnpauseAsync(endpoint);
        }
        catch (ValkeyException ex)
        {
            // The pause ends on its own after WritePauseLimit.
            logger.LogWarning("Could not let {Endpoint} run its clients' writes again: {Reason}; they run when the pause ends", endpoint, ex.Message);
        }
    }

    /// <summary>Waits until every running node sees <paramref name="primaryId"/> as the shard's primary and <paramref name="formerId"/> as its replica.</summary>
    private Task WaitForPrimaryAsync(string primaryId, string primaryEndpoint, string formerId, CancellationToken cancellationToken) =>
        Wait.UntilAsync(
            async _ => await AllAgreeAsync(shards => shards.Any(s =>
                s.Primary is { } p && p.Id == primaryId && p.Health == NodeHealth.Online &&
                s.Nodes.Any(n => n.Id == formerId && n.Role == NodeRole.Replica))),
            Embedded.StartupTimeout, $"every node to see {primaryEndpoint} as the primary of its shard", cancellationToken: cancellationToken);

    /// <summary>Waits until the restarted node is online for every node and, as a replica, in sync with its primary.</summary>
    private async Task WaitUntilBackAsync(string nodeId, string endpoint, CancellationToken cancellationToken)
    {
        await Wait.UntilAsync(
            async _ => (await valkey.ClusterInfoAsync(endpoint))["cluster_state"] == "ok" &&
                await AllAgreeAsync(shards => shards.SelectMany(s => s.Nodes).Any(n => n.Id == nodeId && n.Health == NodeHealth.Online)),
            Embedded.StartupTimeout, $"{endpoint} to be back and online for every node", cancellationToken: cancellationToken);

        await Wait.UntilAsync(
            async ct =>
            {
                var snapshot = await monitor.RefreshTopologyAsync(ct);
                var node = snapshot.FindNode(nodeId);
                if (node is null || node.IsPrimary)
                {
                    return node is not null;
                }

                var primary = snapshot.FindNode(node.PrimaryId ?? string.Empty);
                return primary is not null && (await ReplicaSyncAsync(snapshot, primary)).Any(r => r.NodeId == nodeId && r.InSync);
            },
            Embedded.StartupTimeout, $"{endpoint} to be in sync with its primary", cancellationToken: cancellationToken);
    }

    /// <summary>True when <paramref name="agrees"/> holds for the <c>CLUSTER SHARDS</c> of every node the dashboard runs.</summary>
    private async Task<bool> AllAgreeAsync(Func<ImmutableArray<ShardInfo>, bool> agrees)
    {
        foreach (var node in host.Nodes.Where(n => n.IsRunning))
        {
            if (!agrees(await valkey.ClusterShardsAsync(node.Endpoint)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Each online replica of <paramref name="primary"/>: in sync when its primary lists it online with under 2 s of lag and its own link is up.</summary>
    private async Task<IReadOnlyCollection<ReplicaSync>> ReplicaSyncAsync(ClusterSnapshot snapshot, ClusterNode primary)
    {
        var links = ReplicationInfo.Replicas(await valkey.InfoAsync(primary.Endpoint, "replication"));
        var result = new List<ReplicaSync>();
        foreach (var replica in snapshot.ReplicasOf(primary.Id).Where(r => r.Health == NodeHealth.Online))
        {
            var link = links.FirstOrDefault(l => string.Equals(l.Endpoint, replica.Endpoint, StringComparison.OrdinalIgnoreCase));
            InfoReply own;
            try
            {
                own = await valkey.InfoAsync(replica.Endpoint, "replication");
            }
            catch (ValkeyException ex)
            {
                result.Add(new ReplicaSync(replica.Id, false, $"does not answer: {ex.Message}"));
                continue;
            }

            var detail = link is null ? $"{primary.Endpoint} does not list it as connected"
                : !link.IsOnline ? $"its link is {link.State}"
                : link.LagSeconds > 1 ? $"{link.LagSeconds.ToString(CultureInfo.InvariantCulture)} s behind"
                : !ReplicationInfo.IsLinkUp(own) ? "its own link to the primary is down or syncing"
                : null;
            result.Add(new ReplicaSync(replica.Id, detail is null, detail ?? "in sync"));
        }

        return result;
    }

    private void RequireEmbedded()
    {
        if (options.Value.Mode != ValkeyMode.Embedded)
        {
            throw RequestRefusedException.Conflict("the dashboard restarts nodes only of its embedded cluster; in External mode the cluster's own tooling does");
        }
    }

    private int PortOf(ClusterNode node) => PortOf(node.Endpoint);

    private int PortOf(string endpoint) =>
        host.FindNode(endpoint)?.Port ?? throw RequestRefusedException.Conflict($"node {endpoint} is not one of the embedded cluster's own processes");
}
