using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Cluster.Tests;

public class ClusterSnapshotBuilderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Snapshot_lists_primaries_by_first_slot_then_replicas_with_their_primary()
    {
        var snapshot = Build(unreachable: null);

        Assert.Equal(ClusterState.Ok, snapshot.State);
        Assert.Equal(16384, snapshot.SlotsAssigned);
        Assert.Equal(["127.0.0.1:7001", "127.0.0.1:7000", "127.0.0.1:7002"], snapshot.Primaries.Select(p => p.Endpoint));
        Assert.Equal(6, snapshot.Nodes.Length);
        Assert.All(snapshot.Nodes.Skip(3), n => Assert.Equal(NodeRole.Replica, n.Role));
        var replica = snapshot.Nodes.Single(n => n.Endpoint == "127.0.0.1:7004");
        Assert.Equal("7223175bba0032c01ce80773ed101ab1586a95bb", replica.PrimaryId);
        Assert.Equal(replica.Id, Assert.Single(snapshot.FindNode(replica.PrimaryId!)!.ReplicaIds));
        Assert.All(snapshot.Nodes, n => Assert.Equal(NodeHealth.Online, n.Health));
        Assert.All(snapshot.Nodes, n => Assert.Equal("9.1.2", n.Version));
    }

    [Fact]
    public void Slot_owners_follow_the_shards()
    {
        var snapshot = Build(unreachable: null);

        Assert.Equal(16384, snapshot.SlotOwners.Length);
        Assert.Equal("7223175bba0032c01ce80773ed101ab1586a95bb", snapshot.SlotOwners[0]);
        Assert.Equal("e1efe042f6de829bf069056f602f3ca7e77f88b4", snapshot.SlotOwners[10]);
        Assert.Equal("7223175bba0032c01ce80773ed101ab1586a95bb", snapshot.SlotOwners[25]);
        Assert.Equal("c81b84fcae922e4474fd5dabdd623bdba72eb559", snapshot.SlotOwners[16383]);
        Assert.DoesNotContain(null, snapshot.SlotOwners);
    }

    [Fact]
    public void A_node_that_did_not_answer_is_failed_with_the_reason_while_others_stay_online()
    {
        var snapshot = Build(unreachable: "127.0.0.1:7003");

        var failed = snapshot.Nodes.Single(n => n.Endpoint == "127.0.0.1:7003");
        Assert.Equal(NodeHealth.Failed, failed.Health);
        Assert.Equal("connection refused", failed.Error);
        Assert.Null(failed.Keys);
        Assert.Equal(5, snapshot.Nodes.Count(n => n.Health == NodeHealth.Online));
    }

    [Fact]
    public void Slot_statistics_are_merged_per_slot_and_absent_metrics_stay_null()
    {
        var shards = ClusterShardsParser.Parse(CapturedReplies.Load("cluster-shards.resp"));
        var stats = new Dictionary<string, List<SlotStatsEntry>>
        {
            ["c81b84fcae922e4474fd5dabdd623bdba72eb559"] = SlotStatsParser.Parse(CapturedReplies.Load("slot-stats-disabled.resp")),
        };

        var snapshot = ClusterSnapshotBuilder.Build(shards, ClusterInfo(), Probes(shards, null), stats, Now, 1);

        Assert.Equal(1, snapshot.SlotStatistics.KeyCount[10922]);
        Assert.Equal(3, snapshot.SlotStatistics.KeyCount[10923]);
        Assert.Null(snapshot.SlotStatistics.CpuUsec);
        Assert.Null(snapshot.SlotStatistics.NetworkBytesIn);
    }

    [Fact]
    public void A_primary_that_lost_its_shard_to_a_failover_is_listed_failed_without_slots()
    {
        var shards = ClusterShardsParser.Parse(CapturedReplies.Load("cluster-shards-after-failover.resp"));
        var probes = Probes(shards, unreachable: "127.0.0.1:7004");

        var snapshot = ClusterSnapshotBuilder.Build(shards, ClusterInfo(), probes, new Dictionary<string, List<SlotStatsEntry>>(), Now, 1);

        Assert.Equal(6, snapshot.Nodes.Length);
        var former = snapshot.Nodes.Single(n => n.Endpoint == "127.0.0.1:7004");
        Assert.Equal(NodeHealth.Failed, former.Health);
        Assert.True(former.Slots.IsEmpty);
        Assert.Equal("e4d8622f676f2cad9e53a5bb8e362a58080f10c2", snapshot.SlotOwners[0]);
        Assert.DoesNotContain(snapshot.SlotOwners, o => o == former.Id);
    }

    [Fact]
    public void Unreachable_keeps_the_last_topology_with_every_node_failed()
    {
        var previous = Build(unreachable: null);

        var snapshot = ClusterSnapshotBuilder.Unreachable(previous, "no node answered", Now.AddSeconds(1), previous.Version + 1);

        Assert.Equal(ClusterState.Unreachable, snapshot.State);
        Assert.Equal("no node answered", snapshot.Error);
        Assert.Equal(previous.Nodes.Select(n => n.Id), snapshot.Nodes.Select(n => n.Id));
        Assert.All(snapshot.Nodes, n => Assert.Equal(NodeHealth.Failed, n.Health));
    }

    [Fact]
    public void A_node_whose_slot_statistics_carry_no_load_loses_slot_stats_load_and_only_it()
    {
        var shards = ClusterShardsParser.Parse(CapturedReplies.Load("cluster-shards.resp"));
        var off = shards[0].Primary!.Id;

        var snapshot = ClusterSnapshotBuilder.Build(
            shards, ClusterInfo(), Probes(shards, null), new Dictionary<string, List<SlotStatsEntry>>(), Now, 1, new Dictionary<string, bool> { [off] = false });

        Assert.Equal(
            ["cluster-shards", "slot-stats", "atomic-slot-migration", "key-migration"],
            NodeCapabilityNames.Of(snapshot.FindNode(off)!.Capabilities).ToArray());
        Assert.All(snapshot.Nodes.Where(n => n.Id != off), n => Assert.True(n.Capabilities.HasFlag(NodeCapabilities.SlotStatsLoad)));
    }

    [Fact]
    public void A_replica_the_node_asked_still_calls_loading_is_online_when_it_says_it_is_linked_and_not_syncing()
    {
        // What a 200-node cluster with a 60 s node timeout showed for minutes: CLUSTER SHARDS from the node asked says
        // "loading" (it has not yet heard the replica's offset over the bus) while the replica is linked and in sync.
        var (shards, replica) = ShardsWithOneReplicaLoading();
        var probes = Probes(shards, null);

        var snapshot = ClusterSnapshotBuilder.Build(shards, ClusterInfo(), probes, new Dictionary<string, List<SlotStatsEntry>>(), Now, 1);

        Assert.Equal("up", probes[replica.Id].Info!["master_link_status"]);
        Assert.Equal(NodeHealth.Online, snapshot.FindNode(replica.Id)!.Health);
    }

    [Theory]
    [InlineData("master_link_status:down\r\nmaster_sync_in_progress:0")]
    [InlineData("master_link_status:up\r\nmaster_sync_in_progress:1")]
    [InlineData("loading:1\r\nmaster_link_status:up\r\nmaster_sync_in_progress:0")]
    public void A_replica_called_loading_stays_loading_while_it_is_unlinked_syncing_or_loading_itself(string replication)
    {
        var (shards, replica) = ShardsWithOneReplicaLoading();
        var probes = Probes(shards, null);
        probes[replica.Id] = new NodeProbe(InfoReply.Parse("# Replication\r\nrole:slave\r\n" + replication + "\r\n"), null);

        var snapshot = ClusterSnapshotBuilder.Build(shards, ClusterInfo(), probes, new Dictionary<string, List<SlotStatsEntry>>(), Now, 1);

        Assert.Equal(NodeHealth.Loading, snapshot.FindNode(replica.Id)!.Health);
        Assert.All(snapshot.Nodes.Where(n => n.Id != replica.Id), n => Assert.Equal(NodeHealth.Online, n.Health));
    }

    private static (ImmutableArray<ShardInfo> Shards, ShardNode Replica) ShardsWithOneReplicaLoading()
    {
        var shards = ClusterShardsParser.Parse(CapturedReplies.Load("cluster-shards.resp"));
        var replica = shards[0].Nodes.First(n => n.Role == NodeRole.Replica);
        var loading = replica with { Health = NodeHealth.Loading };
        return (shards.SetItem(0, shards[0] with { Nodes = shards[0].Nodes.Replace(replica, loading) }), loading);
    }

    private static ClusterSnapshot Build(string? unreachable)
    {
        var shards = ClusterShardsParser.Parse(CapturedReplies.Load("cluster-shards.resp"));
        return ClusterSnapshotBuilder.Build(shards, ClusterInfo(), Probes(shards, unreachable), new Dictionary<string, List<SlotStatsEntry>>(), Now, 1);
    }

    private static InfoReply ClusterInfo() => InfoReply.Parse(CapturedReplies.LoadText("cluster-info.resp"));

    private static Dictionary<string, NodeProbe> Probes(IEnumerable<ShardInfo> shards, string? unreachable)
    {
        var primaryInfo = InfoReply.Parse(CapturedReplies.LoadText("info-primary.resp"));
        var replicaInfo = InfoReply.Parse(CapturedReplies.LoadText("info-replica.resp"));
        return shards.SelectMany(s => s.Nodes).ToDictionary(
            n => n.Id,
            n => n.Endpoint == unreachable
                ? new NodeProbe(null, "connection refused")
                : new NodeProbe(n.Role == NodeRole.Primary ? primaryInfo : replicaInfo, null));
    }
}
