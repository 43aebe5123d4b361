using Microsoft.Extensions.Logging;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Connections;

/// <summary>
/// The typed admin client against a real Valkey 9 cluster: every command the dashboard sends answers with its typed
/// result, and every failure arrives as one of the three translated kinds (no answer, Valkey's own error, odd reply).
/// Tests that change the cluster put it back before they end.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public class ValkeyAdminClientTests(SharedClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private EmbeddedCluster Cluster => fixture.Cluster;

    private ValkeyAdminClient Valkey => Cluster.Admin;

    private async Task<(ShardInfo Shard, ShardNode Primary, ShardNode Replica)> ShardAsync(int index)
    {
        var shards = (await Valkey.ClusterShardsAsync(Cluster.Host.Nodes[0].Endpoint)).Where(s => !s.Slots.IsEmpty).OrderBy(s => s.Slots.Ranges[0].Start).ToList();
        var shard = shards[index];
        return (shard, shard.Primary!, shard.Nodes.First(n => n.Role == NodeRole.Replica));
    }

    [Fact]
    public async Task Topology_commands_answer_typed_shards_info_and_ids()
    {
        var endpoint = Cluster.Host.Nodes[0].Endpoint;

        var shards = await Valkey.ClusterShardsAsync(endpoint);
        var info = await Valkey.ClusterInfoAsync(endpoint);
        var myId = await Valkey.ClusterMyIdAsync(endpoint);

        Assert.Equal(16384, shards.Sum(s => s.Slots.SlotCount));
        Assert.Equal("ok", info["cluster_state"]);
        Assert.Equal(6, info.GetInt64("cluster_known_nodes"));
        Assert.Contains(shards.SelectMany(s => s.Nodes), n => n.Id == myId && n.Endpoint == endpoint);
    }

    [Fact]
    public async Task Replicating_the_primary_a_replica_already_follows_is_accepted_and_changes_nothing()
    {
        // (CLUSTER MEET is not tried here: meeting a known node starts a handshake that shows as an extra node for a
        // moment in the shared cluster. Forming clusters and joining nodes exercise it.)
        var (_, primary, replica) = await ShardAsync(0);

        await Valkey.ClusterReplicateAsync(replica.Endpoint, primary.Id);

        var after = await ShardAsync(0);
        Assert.Equal(replica.Id, after.Replica.Id);
        Assert.Equal(primary.Id, after.Primary.Id);
    }

    [Fact]
    public async Task Forgetting_an_unknown_node_is_Valkeys_refusal_in_its_own_words()
    {
        var endpoint = Cluster.Host.Nodes[0].Endpoint;

        var refused = await Assert.ThrowsAsync<ValkeyErrorException>(() => Valkey.ClusterForgetAsync(endpoint, new string('a', 40)));

        Assert.StartsWith("ERR Unknown node", refused.ValkeyError, StringComparison.Ordinal);
        Assert.Equal(endpoint, refused.Endpoint);
        Assert.Equal("CLUSTER FORGET", refused.Command);
    }

    [Fact]
    public async Task Keys_in_a_slot_are_counted_and_listed()
    {
        var (_, primary, _) = await ShardAsync(1);
        await using var client = await Cluster.ConnectClientAsync();
        var db = client.GetDatabase();
        var keys = Enumerable.Range(0, 3).Select(i => $"{{admin-keys}}:{i}").ToList();
        var slot = client.HashSlot(keys[0]);
        var owner = (await Valkey.ClusterShardsAsync(primary.Endpoint)).Single(s => s.Slots.Contains(slot)).Primary!;
        try
        {
            await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, "v")));

            Assert.Equal(3, await Valkey.CountKeysInSlotAsync(owner.Endpoint, slot));
            Assert.Equal(3, await Valkey.CountKeysInSlotsAsync(owner.Endpoint, SlotRangeSet.FromSlots([slot, slot == 0 ? 1 : slot - 1])));
            Assert.Equal(keys.Order(), (await Valkey.GetKeysInSlotAsync(owner.Endpoint, slot, 10)).Select(System.Text.Encoding.UTF8.GetString).Order());
            Assert.Equal(2, (await Valkey.GetKeysInSlotAsync(owner.Endpoint, slot, 2)).Count);
        }
        finally
        {
            await db.KeyDeleteAsync([.. keys.Select(k => (StackExchange.Redis.RedisKey)k)]);
        }
    }

    [Fact]
    public async Task Setslot_importing_and_migrating_open_a_key_by_key_move_and_stable_closes_it()
    {
        var (source, sourcePrimary, _) = await ShardAsync(0);
        var (_, targetPrimary, _) = await ShardAsync(1);
        var slot = source.Slots.Ranges[^1].End;
        try
        {
            await Valkey.ClusterSetSlotAsync(targetPrimary.Endpoint, slot, SetSlotAction.Importing, sourcePrimary.Id);
            await Valkey.ClusterSetSlotAsync(sourcePrimary.Endpoint, slot, SetSlotAction.Migrating, targetPrimary.Id);

            var nodes = (string)(await Cluster.Connection.ExecuteAsync(sourcePrimary.Endpoint, "CLUSTER", "NODES"))!;
            Assert.Contains($"[{slot}->-{targetPrimary.Id}]", nodes, StringComparison.Ordinal);
        }
        finally
        {
            await Valkey.ClusterSetSlotAsync(sourcePrimary.Endpoint, slot, SetSlotAction.Stable);
            await Valkey.ClusterSetSlotAsync(targetPrimary.Endpoint, slot, SetSlotAction.Stable);
        }

        var closed = (string)(await Cluster.Connection.ExecuteAsync(sourcePrimary.Endpoint, "CLUSTER", "NODES"))!;
        Assert.DoesNotContain("->-", closed, StringComparison.Ordinal);
        // NODE to the owner it already has is accepted and changes nothing.
        await Valkey.ClusterSetSlotAsync(sourcePrimary.Endpoint, slot, SetSlotAction.Node, sourcePrimary.Id);
        Assert.True((await ShardAsync(0)).Shard.Slots.Contains(slot));
        Assert.Throws<ArgumentException>(() => { _ = Valkey.ClusterSetSlotAsync(sourcePrimary.Endpoint, slot, SetSlotAction.Node); });
    }

    [Fact]
    public async Task A_slot_given_up_is_taken_back_with_addslotsrange_and_a_busy_one_is_refused()
    {
        var (shard, primary, _) = await ShardAsync(2);
        var slot = shard.Slots.Ranges[^1].End;

        var busy = await Assert.ThrowsAsync<ValkeyErrorException>(() => Valkey.ClusterAddSlotsRangeAsync(primary.Endpoint, new SlotRange(slot, slot)));
        Assert.Contains("busy", busy.ValkeyError, StringComparison.OrdinalIgnoreCase);

        await Cluster.Connection.ExecuteAsync(primary.Endpoint, "CLUSTER", "DELSLOTSRANGE", slot, slot);
        await Valkey.ClusterAddSlotsRangeAsync(primary.Endpoint, new SlotRange(slot, slot));

        await Wait.UntilAsync(
            async _ => (await Valkey.ClusterShardsAsync(Cluster.Host.Nodes[0].Endpoint)).Any(s => s.Primary?.Id == primary.Id && s.Slots.Contains(slot)) &&
                (await Valkey.ClusterInfoAsync(primary.Endpoint))["cluster_state"] == "ok",
            Deadline, $"slot {slot} to be back with {primary.Endpoint} and the cluster ok");
    }

    [Fact]
    public async Task An_atomic_migration_starts_is_logged_on_both_sides_and_a_cancel_without_one_says_so()
    {
        var (source, sourcePrimary, _) = await ShardAsync(0);
        var (_, targetPrimary, _) = await ShardAsync(1);
        var slots = SlotRangeSet.FromSlots([source.Slots.Ranges[0].Start]);

        await Valkey.MigrateSlotsAsync(sourcePrimary.Endpoint, slots, targetPrimary.Id);
        try
        {
            SlotMigrationLogEntry? export = null;
            await Wait.UntilAsync(
                async _ => (export = (await Valkey.GetSlotMigrationsAsync(sourcePrimary.Endpoint)).FirstOrDefault(e => e.Slots.Equals(slots) && e.Operation == SlotMigrationOperation.Export)) is { State: "success" },
                Deadline, "the export to succeed");
            var import = (await Valkey.GetSlotMigrationsAsync(targetPrimary.Endpoint)).First(e => e.Name == export!.Name);
            Assert.Equal(SlotMigrationOperation.Import, import.Operation);
            Assert.Equal(targetPrimary.Id, export!.TargetNodeId);
            Assert.False(await Valkey.CancelSlotMigrationsAsync(sourcePrimary.Endpoint));
        }
        finally
        {
            await Wait.UntilAsync(async _ => (await Valkey.ClusterShardsAsync(targetPrimary.Endpoint)).Single(s => s.Primary?.Id == targetPrimary.Id).Slots.Contains(slots.Ranges[0].Start), Deadline, "the target to own the slot");
            await Valkey.MigrateSlotsAsync(targetPrimary.Endpoint, slots, sourcePrimary.Id);
            await Wait.UntilAsync(async _ => (await Valkey.ClusterShardsAsync(sourcePrimary.Endpoint)).Single(s => s.Primary?.Id == sourcePrimary.Id).Slots.Contains(slots.Ranges[0].Start), Deadline, "the slot to be back");
        }
    }

    [Fact]
    public async Task Migrating_slots_the_node_does_not_serve_is_refused_with_Valkeys_words()
    {
        var (_, sourcePrimary, _) = await ShardAsync(0);
        var (target, targetPrimary, _) = await ShardAsync(1);

        var refused = await Assert.ThrowsAsync<ValkeyErrorException>(() => Valkey.MigrateSlotsAsync(sourcePrimary.Endpoint, SlotRangeSet.FromSlots([target.Slots.Ranges[0].Start]), targetPrimary.Id));

        Assert.Equal("ERR Slots are not served by this node.", refused.ValkeyError);
        Assert.Equal("CLUSTER MIGRATESLOTS", refused.Command);
    }

    [Fact]
    public async Task Slot_statistics_info_and_config_are_read_and_set()
    {
        var (shard, primary, _) = await ShardAsync(0);
        var range = shard.Slots.Ranges[0];

        var stats = await Valkey.SlotStatsAsync(primary.Endpoint, new SlotRange(range.Start, range.Start + 9));
        var info = await Valkey.InfoAsync(primary.Endpoint, "server", "stats");
        var maxLength = await Valkey.ConfigGetAsync(primary.Endpoint, "cluster-slot-migration-log-max-len");
        await Valkey.ConfigSetAsync(primary.Endpoint, "cluster-slot-migration-log-max-len", maxLength!);

        Assert.Equal(Enumerable.Range(range.Start, 10), stats.Select(s => s.Slot));
        Assert.All(stats, s => Assert.NotNull(s.CpuUsec));
        Assert.StartsWith("9.", info.ServerVersion, StringComparison.Ordinal);
        Assert.NotNull(info.GetInt64("total_net_cluster_slot_import_bytes"));
        Assert.Equal("1000", maxLength);
        Assert.Null(await Valkey.ConfigGetAsync(primary.Endpoint, "no-such-parameter"));
        var refused = await Assert.ThrowsAsync<ValkeyErrorException>(() => Valkey.ConfigSetAsync(primary.Endpoint, "no-such-parameter", "1"));
        Assert.Contains("no-such-parameter", refused.ValkeyError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_that_does_not_answer_is_unreachable_on_both_connections()
    {
        var closedPort = TestPorts.AllocateBlock(1);
        var endpoint = $"127.0.0.1:{closedPort}";
        await using var connection = new ValkeyConnection(Cluster.ValkeyOptions, new StaticSeeds([endpoint]), TestLogging.Factory.CreateLogger<ValkeyConnection>());
        await using var valkey = new ValkeyAdminClient(connection);

        var viaMultiplexer = await Assert.ThrowsAsync<ValkeyUnreachableException>(() => valkey.ClusterInfoAsync(endpoint));
        var viaLean = await Assert.ThrowsAsync<ValkeyUnreachableException>(() => valkey.SlotStatsAsync(endpoint, SlotRange.All));

        Assert.Equal(endpoint, viaMultiplexer.Endpoint);
        Assert.Equal("CLUSTER INFO", viaMultiplexer.Command);
        Assert.Equal(endpoint, viaLean.Endpoint);
        Assert.Contains("refused", viaLean.Message, StringComparison.OrdinalIgnoreCase);
    }
}
