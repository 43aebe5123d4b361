using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Migrations.Atomic;
using ValkeyDashboard.Cluster;
using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Cluster.Tests;

/// <summary>The checks and the per-source split, on a snapshot built from replies captured from a real cluster.</summary>
public class MigrationPlannerTests
{
    // In the captured cluster: 7001 owns 0-9, 20-29, 5461-10921; 7000 owns 10-19, 30-5460; 7002 owns 10922-16383.
    private const string Node7000 = "e1efe042f6de829bf069056f602f3ca7e77f88b4";
    private const string Node7001 = "7223175bba0032c01ce80773ed101ab1586a95bb";
    private const string Node7002 = "c81b84fcae922e4474fd5dabdd623bdba72eb559";
    private const string Replica7004 = "69acfd9424ba1f0eb4b61e6f980d76e98826404c";

    [Fact]
    public void Slots_of_two_owners_are_split_into_one_job_per_source()
    {
        var plan = MigrationPlanner.Plan(SlotRangeSet.Parse("0-99,6000"), Node7002, Snapshot(), [], targetMaxMemoryBytes: 0);

        Assert.Equal(2, plan.Jobs.Length);
        Assert.Equal("0-9,20-29,6000", plan.Jobs.Single(j => j.Source.Id == Node7001).Slots.ToString());
        Assert.Equal("10-19,30-99", plan.Jobs.Single(j => j.Source.Id == Node7000).Slots.ToString());
        Assert.Equal(Node7002, plan.Target.Id);
    }

    [Fact]
    public void Each_job_counts_the_keys_of_its_own_slots_and_the_estimate_adds_them_up()
    {
        // Slot s holds s + 1 keys, so every slot counts differently and a slot counted twice or for the wrong job shows.
        var keys = new long[SlotRange.SlotCount];
        for (var slot = 0; slot < keys.Length; slot++)
        {
            keys[slot] = slot + 1;
        }

        var snapshot = Snapshot() with { SlotStatistics = new SlotStatistics(keys, null, null, null) };

        var plan = MigrationPlanner.Plan(SlotRangeSet.Parse("0-99,6000"), Node7002, snapshot, [], targetMaxMemoryBytes: 0);

        // 7001 moves 0-9 (1..10: 55), 20-29 (21..30: 255) and 6000 (6,001); 7000 moves 10-19 (11..20: 155) and 30-99 (31..100: 4,585).
        Assert.Equal(6_311, plan.Jobs.Single(j => j.Source.Id == Node7001).Keys);
        Assert.Equal(4_740, plan.Jobs.Single(j => j.Source.Id == Node7000).Keys);
        Assert.Equal(11_051, plan.Estimate.Keys);
    }

    [Theory]
    [InlineData("0-99", Node7001, "slots 0-9,20-29 are already owned by the target")]
    [InlineData("0-99", Replica7004, "is a replica")]
    [InlineData("0-99", "0000000000000000000000000000000000000000", "is not a node of this cluster")]
    [InlineData("0-99", "not-an-id", "40 hex characters")]
    [InlineData("0-99", null, "40 hex characters")]
    public void Impossible_requests_are_invalid_with_the_reason(string slots, string? target, string reason)
    {
        var ex = Assert.Throws<RequestRefusedException>(() => MigrationPlanner.Plan(SlotRangeSet.Parse(slots), target, Snapshot(), [], 0));

        Assert.Equal(RefusalKind.Invalid, ex.Kind);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Slots_already_moving_conflict_and_name_the_migration()
    {
        var running = new Migration
        {
            Id = "m-1", State = MigrationState.Running, Slots = SlotRangeSet.Parse("50-60"), TargetNodeId = Node7001, TargetEndpoint = "127.0.0.1:7001",
            Jobs = [], CreatedAt = DateTimeOffset.UnixEpoch, RequestedBy = "test",
        };

        var ex = Assert.Throws<RequestRefusedException>(() => MigrationPlanner.Plan(SlotRangeSet.Parse("55-70"), Node7002, Snapshot(), [running], 0));

        Assert.Equal(RefusalKind.Conflict, ex.Kind);
        Assert.Equal("m-1", ex.ConflictingMigrationId);
        Assert.Contains("slots 55-60 are already moving in migration m-1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cluster_that_is_not_ok_or_a_failed_node_is_a_conflict()
    {
        var failing = Snapshot() with { State = ClusterState.Fail };
        var sourceDown = Snapshot() with { Nodes = [.. Snapshot().Nodes.Select(n => n.Id == Node7000 ? n with { Health = NodeHealth.Failed } : n)] };

        Assert.Equal(RefusalKind.Conflict, Assert.Throws<RequestRefusedException>(() => MigrationPlanner.Plan(SlotRangeSet.Parse("100"), Node7002, failing, [], 0)).Kind);
        var ex = Assert.Throws<RequestRefusedException>(() => MigrationPlanner.Plan(SlotRangeSet.Parse("100"), Node7002, sourceDown, [], 0));
        Assert.Equal(RefusalKind.Conflict, ex.Kind);
        Assert.Contains("(127.0.0.1:7000) is failed", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MigrationEngineKind.Auto, null, "atomic")]
    [InlineData(MigrationEngineKind.Keys, null, "keys")]
    [InlineData(MigrationEngineKind.Atomic, null, "atomic")]
    [InlineData(MigrationEngineKind.Auto, "8.0.1", "keys")]
    [InlineData(MigrationEngineKind.Keys, "8.0.1", "keys")]
    public void The_engine_is_atomic_when_every_node_involved_has_it_and_key_by_key_otherwise_or_when_asked(MigrationEngineKind asked, string? targetVersion, string expected)
    {
        var plan = MigrationPlanner.Plan(SlotRangeSet.Parse("100"), Node7002, WithTargetVersion(targetVersion), [], 0, asked);

        Assert.Equal(expected, plan.Engine);
        Assert.Equal(expected == "keys", plan.ClientEffects.Any(e => e.Contains("TRYAGAIN", StringComparison.Ordinal)));
    }

    [Fact]
    public void Asking_for_the_atomic_engine_on_a_server_without_it_is_a_conflict_that_names_the_node_and_its_version()
    {
        var ex = Assert.Throws<RequestRefusedException>(() =>
            MigrationPlanner.Plan(SlotRangeSet.Parse("100"), Node7002, WithTargetVersion("8.0.1"), [], 0, MigrationEngineKind.Atomic));

        Assert.Equal(RefusalKind.Conflict, ex.Kind);
        Assert.Contains("127.0.0.1:7002 runs Valkey 8.0.1, which has no atomic slot migration", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, MigrationEngineKind.Auto)]
    [InlineData("auto", MigrationEngineKind.Auto)]
    [InlineData("ATOMIC", MigrationEngineKind.Atomic)]
    [InlineData("keys", MigrationEngineKind.Keys)]
    public void The_engine_text_is_parsed_case_insensitively(string? text, MigrationEngineKind expected) =>
        Assert.Equal(expected, MigrationEngineChoice.Parse(text));

    [Fact]
    public void An_unknown_engine_text_is_invalid()
    {
        var ex = Assert.Throws<RequestRefusedException>(() => MigrationEngineChoice.Parse("fast"));

        Assert.Equal(RefusalKind.Invalid, ex.Kind);
        Assert.Contains("engine must be \"auto\", \"atomic\" or \"keys\", got \"fast\"", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The captured snapshot with the target on another Valkey version (null: as captured, 9.x).</summary>
    private static ClusterSnapshot WithTargetVersion(string? version) =>
        version is null ? Snapshot() : Snapshot() with
        {
            Nodes = [.. Snapshot().Nodes.Select(n => n.Id == Node7002 ? n with { Version = version, Capabilities = NodeCapabilityNames.FromVersion(ServerProduct.Valkey, version) } : n)],
        };

    [Fact]
    public void The_target_memory_headroom_is_checked_against_the_estimate()
    {
        var snapshot = Snapshot();
        var keys = new long[SlotRange.SlotCount];
        Array.Fill(keys, 100, 0, 1000);
        snapshot = snapshot with { SlotStatistics = new SlotStatistics(keys, null, null, null) };
        var used = snapshot.FindNode(Node7002)!.UsedMemoryBytes!.Value;
        var bytes = MigrationPlanner.Plan(SlotRangeSet.Parse("100-999"), Node7002, snapshot, [], 0).Estimate.Bytes;
        Assert.True(bytes > 0);

        var refused = Assert.Throws<RequestRefusedException>(() => MigrationPlanner.Plan(SlotRangeSet.Parse("100-999"), Node7002, snapshot, [], used + bytes));
        var warned = MigrationPlanner.Plan(SlotRangeSet.Parse("100-999"), Node7002, snapshot, [], used + (long)(bytes * 1.5));
        var roomy = MigrationPlanner.Plan(SlotRangeSet.Parse("100-999"), Node7002, snapshot, [], used + (bytes * 10));

        Assert.Contains("the import would run out of memory", refused.Message, StringComparison.Ordinal);
        Assert.Contains(warned.Estimate.Warnings, w => w.Contains("more than half", StringComparison.Ordinal));
        Assert.Empty(roomy.Estimate.Warnings);
    }

    [Fact]
    public void Progress_is_measured_on_at_most_128_slots_with_keys_spread_over_the_job()
    {
        var slotsWithKeys = Enumerable.Range(0, 2000).Where(s => s % 3 != 0).ToList();

        var sample = MigrationPlanner.ProgressSample(slotsWithKeys);
        var small = MigrationPlanner.ProgressSample([5, 6, 9]);

        Assert.Equal(MigrationPlanner.MaxProgressSlots, sample.SlotCount);
        Assert.All(sample.Slots(), s => Assert.Contains(s, slotsWithKeys));
        Assert.True(sample.Slots().Max() > 1900, "the sample should reach the end of the job");
        Assert.Equal("5-6,9", small.ToString());
    }

    [Fact]
    public void MigrateSlots_arguments_list_every_range_then_the_target()
    {
        Assert.Equal(
            ["MIGRATESLOTS", "SLOTSRANGE", 0, 99, 200, 200, "NODE", Node7001],
            ValkeyAdminClient.MigrateSlotsArguments(SlotRangeSet.Parse("0-99,200"), Node7001));
    }

    [Theory]
    [InlineData("ERR I am already migrating slot 3050.", RefusalKind.Conflict)]
    [InlineData("ERR Slot ranges in migrations overlap", RefusalKind.Conflict)]
    [InlineData("ERR Slots are not served by this node.", RefusalKind.Conflict)]
    [InlineData("ERR Unknown node name: abc", RefusalKind.Invalid)]
    [InlineData("ERR Target node can not be this node.", RefusalKind.Invalid)]
    public void Valkey_refusals_map_to_conflict_or_invalid(string error, RefusalKind refusal)
    {
        Assert.Equal(refusal, AtomicMigrationEngine.ClassifyRefusal(error));
    }

    private static ClusterSnapshot Snapshot()
    {
        var shards = ClusterShardsParser.Parse(CapturedReplies.Load("cluster-shards.resp"));
        var primaryInfo = InfoReply.Parse(CapturedReplies.LoadText("info-primary.resp"));
        var replicaInfo = InfoReply.Parse(CapturedReplies.LoadText("info-replica.resp"));
        var probes = shards.SelectMany(s => s.Nodes).ToDictionary(n => n.Id, n => new NodeProbe(n.Role == NodeRole.Primary ? primaryInfo : replicaInfo, null));
        return ClusterSnapshotBuilder.Build(shards, InfoReply.Parse(CapturedReplies.LoadText("cluster-info.resp")), probes, new Dictionary<string, List<SlotStatsEntry>>(), DateTimeOffset.UnixEpoch, 1);
    }
}
