using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;
using ValkeyDashboard.Cluster.Restarts;

namespace ValkeyDashboard.Cluster.Tests;

/// <summary>How a node is restarted without a slot going unserved, and when it may not be restarted now.</summary>
public class RestartPreflightTests
{
    private const string P1 = "p1", P2 = "p2", Empty = "p3", R1 = "r1", R2 = "r2";

    private static readonly ClusterSnapshot Cluster = Snapshot(ClusterState.Ok,
        Node(P1, "127.0.0.1:7000", null, "0-8191"),
        Node(P2, "127.0.0.1:7001", null, "8192-16383"),
        Node(Empty, "127.0.0.1:7002", null, null),
        Node(R1, "127.0.0.1:7003", P1, "0-8191"),
        Node(R2, "127.0.0.1:7004", P2, "8192-16383"));

    private static readonly ReplicaSync[] AllInSync = [new(R1, true, "in sync"), new(R2, true, "in sync")];

    [Fact]
    public void A_replica_restarts_in_place()
    {
        var plan = RestartPreflight.Decide(Cluster, R1, AllInSync, [], failBack: false);

        Assert.Equal(RestartKind.Replica, plan.Kind);
        Assert.Contains("its primary 127.0.0.1:7000 keeps serving", plan.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, "restart 127.0.0.1:7000 and wait until it is in sync as a replica of 127.0.0.1:7003")]
    [InlineData(true, "then fail back so 127.0.0.1:7000 is the primary again")]
    public void A_primary_serving_slots_fails_over_to_its_in_sync_replica_first(bool failBack, string says)
    {
        var plan = RestartPreflight.Decide(Cluster, P1, AllInSync, [], failBack);

        Assert.Equal(RestartKind.Failover, plan.Kind);
        Assert.Equal(R1, plan.FailoverToId);
        Assert.Equal("127.0.0.1:7003", plan.FailoverToEndpoint);
        Assert.Contains(says, plan.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void A_primary_without_slots_restarts_in_place()
    {
        Assert.Equal(RestartKind.EmptyPrimary, RestartPreflight.Decide(Cluster, Empty, AllInSync, [], failBack: false).Kind);
    }

    [Fact]
    public void A_primary_whose_replica_is_not_in_sync_is_refused_with_the_replicas_state()
    {
        var refusal = Assert.Throws<RequestRefusedException>(() =>
            RestartPreflight.Decide(Cluster, P1, [new(R1, false, "its link is wait_bgsave")], [], failBack: false));

        Assert.Equal(RefusalKind.Conflict, refusal.Kind);
        Assert.Contains("serves 8,192 slots and none of its replicas is in sync (127.0.0.1:7003: its link is wait_bgsave)", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_primary_without_an_online_replica_is_refused()
    {
        var cluster = Cluster with { Nodes = Cluster.Nodes.Select(n => n.Id == R1 ? n with { Health = NodeHealth.Failed } : n).ToImmutableArray() };

        var refusal = Assert.Throws<RequestRefusedException>(() => RestartPreflight.Decide(cluster, P1, AllInSync, [], failBack: false));

        Assert.Contains("has no online replica", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(P1)]
    [InlineData(R1)]
    public void A_node_of_a_shard_a_migration_moves_is_refused(string nodeId)
    {
        var refusal = Assert.Throws<RequestRefusedException>(() =>
            RestartPreflight.Decide(Cluster, nodeId, AllInSync, [new BusyWork([P2, P1], "migration m1")], failBack: false));

        Assert.Contains("migration m1 moves slots to or from", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Work_on_other_shards_does_not_hold_a_restart()
    {
        Assert.Equal(RestartKind.Replica, RestartPreflight.Decide(Cluster, R1, AllInSync, [new BusyWork([P2, Empty], "plan x")], failBack: false).Kind);
    }

    [Fact]
    public void Nothing_restarts_while_the_cluster_is_not_ok()
    {
        var refusal = Assert.Throws<RequestRefusedException>(() =>
            RestartPreflight.Decide(Cluster with { State = ClusterState.Fail }, R1, AllInSync, [], failBack: false));

        Assert.Contains("the cluster is fail", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_node_is_not_found()
    {
        Assert.Equal(RefusalKind.NotFound, Assert.Throws<RequestRefusedException>(() => RestartPreflight.Decide(Cluster, "nope", AllInSync, [], false)).Kind);
    }

    [Fact]
    public void Replication_info_tells_a_replica_in_sync_from_one_still_syncing()
    {
        var syncing = ReplicationInfo.Replicas(Info("info-replication-primary-syncing.txt"));
        var synced = ReplicationInfo.Replicas(Info("info-replication-primary-synced.txt"));

        Assert.Equal(new ReplicaLink("127.0.0.1:15992", "wait_bgsave", 0, 0), Assert.Single(syncing));
        Assert.False(syncing[0].IsOnline);
        Assert.Equal(new ReplicaLink("127.0.0.1:15992", "online", 64, 0), Assert.Single(synced));
        Assert.False(ReplicationInfo.IsLinkUp(Info("info-replication-replica-syncing.txt")));
        Assert.True(ReplicationInfo.IsLinkUp(Info("info-replication-replica-synced.txt")));
    }

    private static InfoReply Info(string name) => InfoReply.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Replies", name)));

    private static ClusterNode Node(string id, string endpoint, string? primaryId, string? slots) =>
        new(id, endpoint, primaryId is null ? NodeRole.Primary : NodeRole.Replica, primaryId, NodeHealth.Online, "9.1.2",
            slots is null ? SlotRangeSet.Empty : SlotRangeSet.Parse(slots), 0, 0, 0, "shard-" + (primaryId ?? id), 0);

    private static ClusterSnapshot Snapshot(ClusterState state, params ClusterNode[] nodes) => ClusterSnapshot.Initial with { State = state, Nodes = [.. nodes] };
}
