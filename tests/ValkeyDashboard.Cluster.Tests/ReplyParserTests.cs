using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Cluster.Tests;

/// <summary>Parsers fed with replies captured from a real Valkey 9.1.2 cluster (3 primaries, 3 replicas, slots 0-9 and 20-29 migrated to the second primary).</summary>
public class ReplyParserTests
{
    private const string FirstPrimary = "e1efe042f6de829bf069056f602f3ca7e77f88b4";
    private const string SecondPrimary = "7223175bba0032c01ce80773ed101ab1586a95bb";

    [Fact]
    public void ClusterShards_yields_shards_with_slots_nodes_roles_and_health()
    {
        var shards = ClusterShardsParser.Parse(CapturedReplies.Load("cluster-shards.resp"));

        Assert.Equal(3, shards.Length);
        Assert.Equal(16384, shards.Sum(s => s.Slots.SlotCount));
        var second = Assert.Single(shards, s => s.Primary?.Id == SecondPrimary);
        Assert.Equal("0-9,20-29,5461-10921", second.Slots.ToString());
        Assert.Equal("9cca13155b2c86cdb798b38b183183ffe2ad83c6", second.Id);
        Assert.Equal(2, second.Nodes.Length);
        var replica = Assert.Single(second.Nodes, n => n.Role == NodeRole.Replica);
        Assert.Equal("69acfd9424ba1f0eb4b61e6f980d76e98826404c", replica.Id);
        Assert.Equal("127.0.0.1:7004", replica.Endpoint);
        Assert.Equal(NodeHealth.Online, replica.Health);
        Assert.Equal(1136941, replica.ReplicationOffset);
        Assert.False(replica.IsTlsPort);
        Assert.Equal("10-19,30-5460", shards.Single(s => s.Primary?.Id == FirstPrimary).Slots.ToString());
    }

    [Fact]
    public void After_a_failover_the_online_primary_serves_the_shard_and_the_failed_one_is_a_former_primary()
    {
        var shards = ClusterShardsParser.Parse(CapturedReplies.Load("cluster-shards-after-failover.resp"));

        var shard = Assert.Single(shards, s => s.Nodes.Any(n => n.Health == NodeHealth.Failed));
        Assert.Equal("e4d8622f676f2cad9e53a5bb8e362a58080f10c2", shard.Primary!.Id);
        Assert.Equal(NodeHealth.Online, shard.Primary.Health);
        var former = Assert.Single(shard.FormerPrimaries);
        Assert.Equal("615e8f90ea1b24d204788ad447de0fea04ca240b", former.Id);
        Assert.Equal(NodeHealth.Failed, former.Health);
    }

    [Theory]
    [InlineData("master", NodeRole.Primary)]
    [InlineData("primary", NodeRole.Primary)]
    [InlineData("replica", NodeRole.Replica)]
    [InlineData("slave", NodeRole.Replica)]
    public void Roles_are_read_in_every_spelling_Valkey_uses(string text, NodeRole role)
    {
        Assert.Equal(role, ClusterShardsParser.ParseRole(text));
    }

    [Theory]
    [InlineData("online", NodeHealth.Online)]
    [InlineData("loading", NodeHealth.Loading)]
    [InlineData("failed", NodeHealth.Failed)]
    public void Health_values_map_to_the_wire_enum(string text, NodeHealth health)
    {
        Assert.Equal(health, ClusterShardsParser.ParseHealth(text));
    }

    [Fact]
    public void ClusterInfo_gives_state_and_assigned_slots()
    {
        var info = InfoReply.Parse(CapturedReplies.LoadText("cluster-info.resp"));

        Assert.Equal("ok", info["cluster_state"]);
        Assert.Equal(16384, info.GetInt64("cluster_slots_assigned"));
        Assert.Equal(6, info.GetInt64("cluster_known_nodes"));
    }

    [Fact]
    public void Info_of_a_primary_gives_version_keys_memory_and_ops()
    {
        var info = InfoReply.Parse(CapturedReplies.LoadText("info-primary.resp"));

        Assert.Equal("9.1.2", info.ServerVersion);
        Assert.Equal(5816, info.TotalKeys);
        Assert.Equal(5494576, info.GetInt64("used_memory"));
        Assert.Equal(4, info.GetInt64("instantaneous_ops_per_sec"));
        Assert.False(info.IsLoading);
        Assert.Equal("master", info["role"]);
    }

    [Fact]
    public void Info_read_by_the_monitor_keeps_only_what_a_snapshot_reads_with_the_same_figures()
    {
        var info = InfoReply.Parse(CapturedReplies.LoadText("info-primary.resp"), Monitoring.ClusterMonitor.InfoFields);

        Assert.Equal("9.1.2", info.ServerVersion);
        Assert.Equal(ServerProduct.Valkey, NodeCapabilityNames.ProductOf(info));
        Assert.Equal(5816, info.TotalKeys);
        Assert.Equal(5494576, info.GetInt64("used_memory"));
        Assert.Equal(4, info.GetInt64("instantaneous_ops_per_sec"));
        Assert.False(info.IsLoading);
        Assert.Null(info["role"]);
        Assert.Null(info["used_memory_human"]);
    }

    [Fact]
    public void Info_of_a_replica_names_its_primary()
    {
        var info = InfoReply.Parse(CapturedReplies.LoadText("info-replica.resp"));

        Assert.Equal("slave", info["role"]);
        Assert.Equal("7000", info["master_port"]);
        Assert.Equal(5816, info.TotalKeys);
    }

    [Fact]
    public void Info_without_keyspace_lines_counts_zero_keys_and_sums_databases()
    {
        Assert.Equal(0, InfoReply.Parse("# Keyspace\r\n").TotalKeys);
        Assert.Equal(5, InfoReply.Parse("db0:keys=2,expires=0\r\ndb3:keys=3,expires=1\r\n").TotalKeys);
        Assert.True(InfoReply.Parse("loading:1\r\n").IsLoading);
    }

    [Fact]
    public void SlotStats_with_statistics_enabled_has_every_metric()
    {
        var entries = SlotStatsParser.Parse(CapturedReplies.Load("slot-stats.resp"));

        // The node owns 0-9, 20-29 and 5461-10921 and reports only its own slots of the requested 0-5600.
        Assert.Equal(160, entries.Count);
        Assert.Equal(SlotRangeSet.Parse("0-9,20-29,5461-5600"), SlotRangeSet.FromSlots(entries.Select(e => e.Slot)));
        Assert.All(entries, e => Assert.NotNull(e.CpuUsec));
        Assert.All(entries, e => Assert.NotNull(e.NetworkBytesIn));
        Assert.All(entries, e => Assert.NotNull(e.NetworkBytesOut));
        Assert.Equal(2, entries.Single(e => e.Slot == 1).KeyCount);
        Assert.True(entries.Sum(e => e.KeyCount) > 0);
    }

    [Fact]
    public void SlotStats_with_statistics_disabled_has_key_counts_only()
    {
        var entries = SlotStatsParser.Parse(CapturedReplies.Load("slot-stats-disabled.resp"));

        Assert.Equal(79, entries.Count);
        Assert.Equal(10922, entries[0].Slot);
        Assert.Equal(1, entries[0].KeyCount);
        Assert.All(entries, e => Assert.Null(e.CpuUsec));
        Assert.All(entries, e => Assert.Null(e.NetworkBytesOut));
    }

    [Theory]
    [InlineData("getslotmigrations-source.resp", SlotMigrationOperation.Export)]
    [InlineData("getslotmigrations-target.resp", SlotMigrationOperation.Import)]
    public void GetSlotMigrations_gives_the_job_as_each_side_sees_it(string file, SlotMigrationOperation operation)
    {
        var entry = Assert.Single(SlotMigrationLogParser.Parse(CapturedReplies.Load(file)));

        Assert.Equal("899e803cb287566445308a90dc42019d64d4301b", entry.Name);
        Assert.Equal(operation, entry.Operation);
        Assert.Equal("0-9,20-29", entry.Slots.ToString());
        Assert.Equal(FirstPrimary, entry.SourceNodeId);
        Assert.Equal(SecondPrimary, entry.TargetNodeId);
        Assert.Equal("success", entry.State);
        Assert.True(entry.IsFinished);
        Assert.Equal(string.Empty, entry.Message);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795632168), entry.CreatedAt);
        Assert.Equal(0, entry.RemainingReplicationBytes);
    }

    [Fact]
    public void GetSlotMigrations_on_a_replica_gives_its_copy_of_the_job_without_either_side()
    {
        var entry = Assert.Single(SlotMigrationLogParser.Parse(CapturedReplies.Load("getslotmigrations-replica.resp")));

        Assert.Equal("5f2c63061cfbc000ce89fe397bf52327e358769a", entry.Name);
        Assert.Equal(SlotMigrationOperation.Import, entry.Operation);
        Assert.Equal("40-49", entry.Slots.ToString());
        Assert.Equal(string.Empty, entry.SourceNodeId);
        Assert.Equal(string.Empty, entry.TargetNodeId);
        Assert.Equal("occurring-on-primary", entry.State);
        Assert.True(entry.IsReplicaCopy);
        Assert.False(entry.IsFinished);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1796126064), entry.LastUpdatedAt);
    }

    [Fact]
    public void Malformed_replies_raise_a_reply_exception_naming_the_command()
    {
        var ex = Assert.Throws<ValkeyReplyException>(() => ClusterShardsParser.Parse(CapturedReplies.Load("cluster-info.resp")));
        Assert.Contains("CLUSTER SHARDS", ex.Message, StringComparison.Ordinal);
    }
}
