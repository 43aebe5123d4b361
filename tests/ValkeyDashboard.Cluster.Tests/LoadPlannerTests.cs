using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Plans;

namespace ValkeyDashboard.Cluster.Tests;

/// <summary>
/// The load planner: which slots move where so every primary ends within the threshold of its weighted share of a
/// metric. Table tests for each rule, and properties checked over many generated clusters.
/// </summary>
public class LoadPlannerTests
{
    private static readonly string[] Ids = [.. Enumerable.Range(0, 100).Select(i => $"{i:x2}".PadRight(40, 'a'))];

    /// <summary>A cluster of <paramref name="primaries"/> primaries owning even contiguous ranges (the last ones empty when <paramref name="empty"/>).</summary>
    private sealed class ClusterBuilder
    {
        public ClusterBuilder(int primaries, int empty = 0)
        {
            Nodes = [.. Enumerable.Range(0, primaries).Select(i => new PlannerNode(Ids[i], $"127.0.0.1:{7000 + i}", true, 0, 0))];
            var owning = primaries - empty;
            for (var slot = 0; slot < SlotRange.SlotCount; slot++)
            {
                Owners[slot] = Ids[slot * owning / SlotRange.SlotCount];
            }
        }

        public List<PlannerNode> Nodes { get; }

        public string?[] Owners { get; } = new string?[SlotRange.SlotCount];

        public double[] Load { get; } = new double[SlotRange.SlotCount];

        public long[] Keys { get; } = new long[SlotRange.SlotCount];

        public long[] Bytes { get; } = new long[SlotRange.SlotCount];

        public SlotRangeSet Locked { get; set; } = SlotRangeSet.Empty;

        /// <summary>Keys per slot; the load is the keys (the keys metric), bytes 100 per key.</summary>
        public ClusterBuilder WithKeys(Func<int, long> keys)
        {
            for (var slot = 0; slot < SlotRange.SlotCount; slot++)
            {
                Keys[slot] = keys(slot);
                Load[slot] = Keys[slot];
                Bytes[slot] = Keys[slot] * 100;
            }

            return this;
        }

        public PlannerInput Input => new([.. Nodes], Owners, Load, Keys, Bytes, Locked);
    }

    private static PlannerGoal Goal(PlanKind kind = PlanKind.Rebalance, PlanMetric metric = PlanMetric.Keys, IEnumerable<string>? drain = null,
        IDictionary<string, double>? weights = null, double threshold = 0.02, double headroom = 0.2) =>
        new(kind, metric, [.. drain ?? []], (weights ?? new Dictionary<string, double>()).ToImmutableDictionary(), threshold, headroom);

    /// <summary>What every plan must satisfy: slots exist, owned by the stated source, none twice, no target over its limit, no node both giving and taking.</summary>
    private static void AssertValid(PlannerInput input, PlannerGoal goal, PlannerResult plan)
    {
        var seen = new HashSet<int>();
        foreach (var move in plan.Moves)
        {
            Assert.NotEqual(move.SourceNodeId, move.TargetNodeId);
            Assert.False(move.Slots.IsEmpty);
            foreach (var slot in move.Slots.Slots())
            {
                Assert.True(seen.Add(slot), $"slot {slot} moves twice");
                Assert.Equal(move.SourceNodeId, input.Owners[slot]);
                Assert.False(input.Locked.Contains(slot), $"locked slot {slot} moves");
            }

            Assert.Equal(move.Slots.Slots().Sum(s => input.Keys[s]), move.Keys);
        }

        var givers = plan.Moves.Select(m => m.SourceNodeId).ToHashSet();
        Assert.Empty(plan.Moves.Where(m => givers.Contains(m.TargetNodeId)));
        foreach (var node in input.Primaries.Where(n => n.MaxMemoryBytes > 0))
        {
            var added = plan.Moves.Where(m => m.TargetNodeId == node.Id).Sum(m => m.Bytes);
            Assert.True(added == 0 || node.UsedMemoryBytes + added <= node.MaxMemoryBytes * (1 - goal.MemoryHeadroom), $"{node.Endpoint} would pass its memory limit");
        }

        Assert.Empty(plan.Moves.Where(m => input.Primaries.Single(n => n.Id == m.TargetNodeId) is { Online: false }));
        Assert.Empty(plan.Moves.Where(m => goal.Drain.Contains(m.TargetNodeId)));
    }

    /// <summary>Each participating primary's load after the plan is within the threshold of its target.</summary>
    private static void AssertWithinThreshold(PlannerResult plan, double threshold)
    {
        foreach (var node in plan.Nodes.Where(n => n.Weight > 0))
        {
            Assert.True(Math.Abs(node.After - node.Target) <= threshold * node.Target + 1e-6,
                $"{node.Endpoint}: {node.After:N0} against target {node.Target:N0} (before {node.Before:N0})");
        }
    }

    /// <summary>The least that must move: the larger of what the givers hold above their band and the takers lack below theirs.</summary>
    private static double LeastToMove(PlannerResult plan, double threshold) =>
        Math.Max(
            plan.Nodes.Sum(n => Math.Max(0, n.Before - (n.Target * (1 + threshold)))),
            plan.Nodes.Where(n => n.Weight > 0).Sum(n => Math.Max(0, (n.Target * (1 - threshold)) - n.Before)));

    [Fact]
    public void Keys_skewed_across_slots_are_balanced_within_the_threshold_moving_close_to_the_least()
    {
        // Even slot counts, but the first primary's slots hold ten times the keys.
        var cluster = new ClusterBuilder(3).WithKeys(slot => slot < 5461 ? 100 : 10);

        var plan = LoadPlanner.Plan(cluster.Input, Goal());

        AssertValid(cluster.Input, Goal(), plan);
        AssertWithinThreshold(plan, 0.02);
        Assert.True(plan.ImbalanceBefore > 2.2, $"imbalance before {plan.ImbalanceBefore}");
        Assert.True(plan.ImbalanceAfter <= 1.02, $"imbalance after {plan.ImbalanceAfter}");
        Assert.True(plan.KeysToMove <= 1.1 * LeastToMove(plan, 0.02), $"{plan.KeysToMove:N0} keys against at least {LeastToMove(plan, 0.02):N0}");
        Assert.All(plan.Moves, m => Assert.Equal(Ids[0], m.SourceNodeId));
        Assert.Empty(plan.Warnings);
    }

    [Fact]
    public void A_balanced_cluster_gets_an_empty_plan()
    {
        var cluster = new ClusterBuilder(3).WithKeys(_ => 50);

        var plan = LoadPlanner.Plan(cluster.Input, Goal());

        Assert.Empty(plan.Moves);
        Assert.Equal(plan.ImbalanceBefore, plan.ImbalanceAfter, 9);
    }

    [Fact]
    public void Scale_out_by_slot_count_moves_a_quarter_of_the_slots_to_the_empty_primary_empty_slots_first_in_few_ranges()
    {
        // Every tenth slot holds keys: moving empty slots costs nothing, and the planner prefers them.
        var cluster = new ClusterBuilder(4, empty: 1).WithKeys(slot => slot % 10 == 0 ? 1_000 : 0);
        for (var slot = 0; slot < SlotRange.SlotCount; slot++)
        {
            cluster.Load[slot] = 1;
        }

        var plan = LoadPlanner.Plan(cluster.Input, Goal(metric: PlanMetric.Slots));

        AssertValid(cluster.Input, Goal(metric: PlanMetric.Slots), plan);
        AssertWithinThreshold(plan, 0.02);
        var newcomer = plan.Nodes.Single(n => n.Id == Ids[3]);
        Assert.InRange(newcomer.SlotsAfter, 4096 * 0.98, 4096 * 1.02);
        Assert.Equal(3, plan.Moves.Length);
        Assert.All(plan.Moves, m => Assert.Equal(Ids[3], m.TargetNodeId));
        Assert.Equal(0, plan.KeysToMove);
    }

    [Fact]
    public void An_empty_primary_among_many_gets_its_share_even_when_no_other_primary_is_above_its_band()
    {
        // 20 primaries: 19 hold about 1/19 each, less than 2% above their 1/20 target, and the 20th holds nothing.
        var cluster = new ClusterBuilder(20, empty: 1);
        for (var slot = 0; slot < SlotRange.SlotCount; slot++)
        {
            cluster.Load[slot] = 1;
        }

        var plan = LoadPlanner.Plan(cluster.Input, Goal(metric: PlanMetric.Slots));

        AssertValid(cluster.Input, Goal(metric: PlanMetric.Slots), plan);
        AssertWithinThreshold(plan, 0.02);
        Assert.InRange(plan.Nodes.Single(n => n.Id == Ids[19]).SlotsAfter, 819 * 0.98, 819 * 1.02);
    }

    [Fact]
    public void Scale_out_by_keys_gives_the_empty_primary_its_share_of_the_keys()
    {
        var cluster = new ClusterBuilder(4, empty: 1).WithKeys(slot => 10 + (slot % 7));

        var plan = LoadPlanner.Plan(cluster.Input, Goal());

        AssertValid(cluster.Input, Goal(), plan);
        AssertWithinThreshold(plan, 0.02);
        var total = cluster.Keys.Sum();
        Assert.True(plan.KeysToMove <= 1.1 * (total / 4.0), $"{plan.KeysToMove:N0} keys moved for a quarter of {total:N0}");
        Assert.All(plan.Moves, m => Assert.True(m.Slots.Ranges.Length <= 4, $"{m.Slots.Ranges.Length} ranges from {m.SourceEndpoint}"));
    }

    [Fact]
    public void A_drain_empties_the_primary_and_spreads_its_slots_by_the_metric()
    {
        var cluster = new ClusterBuilder(4).WithKeys(slot => slot < 4096 ? 20 : slot < 8192 ? 5 : 10);
        var goal = Goal(PlanKind.Drain, drain: [Ids[3]]);

        var plan = LoadPlanner.Plan(cluster.Input, goal);

        AssertValid(cluster.Input, goal, plan);
        Assert.Equal(0, plan.Nodes.Single(n => n.Id == Ids[3]).SlotsAfter);
        Assert.Equal(4096, plan.Moves.Where(m => m.SourceNodeId == Ids[3]).Sum(m => m.Slots.SlotCount));
        AssertWithinThreshold(plan, 0.02);
        // The lightest primary takes the most of the drained keys.
        var taken = plan.Moves.Where(m => m.SourceNodeId == Ids[3]).GroupBy(m => m.TargetNodeId).ToDictionary(g => g.Key, g => g.Sum(m => m.Keys));
        Assert.Equal(Ids[1], taken.MaxBy(t => t.Value).Key);
    }

    [Fact]
    public void A_drain_gives_each_taker_a_few_long_ranges_not_every_nth_slot_and_reports_nothing_left_over()
    {
        var cluster = new ClusterBuilder(4).WithKeys(_ => 20);
        var goal = Goal(PlanKind.Drain, drain: [Ids[3]]);

        var plan = LoadPlanner.Plan(cluster.Input, goal);

        Assert.Equal(3, plan.Moves.Length);
        Assert.All(plan.Moves, m => Assert.True(m.Slots.Ranges.Length <= 3, $"{m.Slots.Ranges.Length} ranges to {m.TargetEndpoint}: {m.Slots}"));
        Assert.Empty(plan.Warnings);
        // Four even primaries before, three even ones after.
        Assert.Equal(1.0, plan.ImbalanceBefore, 3);
        Assert.InRange(plan.ImbalanceAfter, 1.0, 1.02);
    }

    [Fact]
    public void A_drain_moves_empty_slots_too()
    {
        var cluster = new ClusterBuilder(3).WithKeys(slot => slot >= 10922 && slot % 2 == 0 ? 0 : 5);
        var goal = Goal(PlanKind.Drain, drain: [Ids[2]]);

        var plan = LoadPlanner.Plan(cluster.Input, goal);

        Assert.Equal(0, plan.Nodes.Single(n => n.Id == Ids[2]).SlotsAfter);
        Assert.Equal(cluster.Owners.Count(o => o == Ids[2]), plan.Moves.Sum(m => m.Slots.SlotCount));
    }

    [Fact]
    public void A_weight_of_two_takes_twice_the_share_and_a_weight_of_zero_empties_the_node()
    {
        var cluster = new ClusterBuilder(3).WithKeys(_ => 30);
        var goal = Goal(weights: new Dictionary<string, double> { [Ids[0]] = 2, [Ids[2]] = 0 });

        var plan = LoadPlanner.Plan(cluster.Input, goal);

        AssertValid(cluster.Input, goal, plan);
        var after = plan.Nodes.ToDictionary(n => n.Id, n => n.After);
        Assert.Equal(0, plan.Nodes.Single(n => n.Id == Ids[2]).SlotsAfter);
        Assert.InRange(after[Ids[0]] / after[Ids[1]], 1.94, 2.06);
    }

    [Fact]
    public void Slots_of_a_running_migration_stay_where_they_are()
    {
        var cluster = new ClusterBuilder(3).WithKeys(slot => slot < 5461 ? 100 : 10);
        cluster.Locked = SlotRangeSet.Parse("0-2999");

        var plan = LoadPlanner.Plan(cluster.Input, Goal());

        AssertValid(cluster.Input, Goal(), plan);
        Assert.Contains(plan.Warnings, w => w.Contains("3000 slot(s) in a running migration", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failing_primary_neither_gives_nor_takes()
    {
        var cluster = new ClusterBuilder(4, empty: 1).WithKeys(slot => slot < 5461 ? 100 : 10);
        cluster.Nodes[3] = cluster.Nodes[3] with { Online = false };
        cluster.Nodes[0] = cluster.Nodes[0] with { Online = false };

        var plan = LoadPlanner.Plan(cluster.Input, Goal());

        AssertValid(cluster.Input, Goal(), plan);
        Assert.Empty(plan.Moves);
        Assert.Equal(plan.Nodes.Single(n => n.Id == Ids[0]).Before, plan.Nodes.Single(n => n.Id == Ids[0]).After);
    }

    [Fact]
    public void A_target_gets_no_more_than_its_maxmemory_less_the_headroom_and_the_shortfall_is_reported()
    {
        var cluster = new ClusterBuilder(3).WithKeys(_ => 100);
        // Each slot is 10 KB; the third primary may hold 1 MB + 60 KB at most, so it can take only a few slots.
        cluster.Nodes[2] = cluster.Nodes[2] with { UsedMemoryBytes = 1_000_000, MaxMemoryBytes = 1_325_000 };
        var goal = Goal(PlanKind.Drain, drain: [Ids[0]]);

        var plan = LoadPlanner.Plan(cluster.Input, goal);

        AssertValid(cluster.Input, goal, plan);
        Assert.Equal(6, plan.Moves.Where(m => m.TargetNodeId == Ids[2]).Sum(m => m.Slots.SlotCount));
        Assert.Equal(0, plan.Nodes.Single(n => n.Id == Ids[0]).SlotsAfter);
    }

    [Fact]
    public void A_drain_no_primary_has_room_for_says_so()
    {
        var cluster = new ClusterBuilder(2).WithKeys(_ => 100);
        cluster.Nodes[1] = cluster.Nodes[1] with { UsedMemoryBytes = 1_000_000, MaxMemoryBytes = 1_300_000 };
        var goal = Goal(PlanKind.Drain, drain: [Ids[0]]);

        var plan = LoadPlanner.Plan(cluster.Input, goal);

        AssertValid(cluster.Input, goal, plan);
        Assert.Contains(plan.Warnings, w => w.StartsWith("127.0.0.1:7000 cannot be emptied", StringComparison.Ordinal));
    }

    [Fact]
    public void A_single_slot_bigger_than_the_threshold_is_reported_not_chased()
    {
        var cluster = new ClusterBuilder(3).WithKeys(_ => 10);
        cluster.Keys[100] = cluster.Keys[101] = 60_000;
        cluster.Load[100] = cluster.Load[101] = 60_000;

        var plan = LoadPlanner.Plan(cluster.Input, Goal());

        AssertValid(cluster.Input, Goal(), plan);
        Assert.Contains(plan.Warnings, w => w.Contains("alone holds", StringComparison.Ordinal) && w.Contains("127.0.0.1:7000", StringComparison.Ordinal));
        Assert.True(plan.ImbalanceAfter < plan.ImbalanceBefore);
    }

    [Fact]
    public void The_plan_is_the_same_for_the_same_cluster_whatever_order_the_primaries_come_in()
    {
        var cluster = new ClusterBuilder(5, empty: 1).WithKeys(slot => (slot * 7919) % 97);
        var shuffled = cluster.Input with { Primaries = [.. cluster.Nodes.AsEnumerable().Reverse()] };

        var first = LoadPlanner.Plan(cluster.Input, Goal());
        var second = LoadPlanner.Plan(shuffled, Goal());

        Assert.NotEmpty(first.Moves);
        Assert.True(first.Moves.SequenceEqual(second.Moves));
        Assert.True(first.Nodes.SequenceEqual(second.Nodes));
    }

    [Fact]
    public void Cpu_is_balanced_by_moving_the_hot_slots_with_the_fewest_keys()
    {
        var cluster = new ClusterBuilder(3).WithKeys(_ => 50);
        for (var slot = 0; slot < SlotRange.SlotCount; slot++)
        {
            cluster.Load[slot] = slot is >= 1000 and < 1400 ? 500 : 10;
        }

        // Half the hot slots hold few keys: those are the ones worth moving.
        for (var slot = 1000; slot < 1200; slot++)
        {
            cluster.Keys[slot] = 1;
        }

        var goal = Goal(metric: PlanMetric.Cpu, threshold: 0.05);
        var plan = LoadPlanner.Plan(cluster.Input, goal);

        AssertValid(cluster.Input, goal, plan);
        AssertWithinThreshold(plan, 0.05);
        var movedHot = plan.Moves.SelectMany(m => m.Slots.Slots()).Where(s => s is >= 1000 and < 1400).ToList();
        Assert.True(movedHot.Count(s => s < 1200) > movedHot.Count(s => s >= 1200), "the hot slots with few keys move first");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Generated_clusters_get_valid_deterministic_plans_that_reach_the_threshold_when_slots_are_fine_grained(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 20; round++)
        {
            var primaries = random.Next(2, 12);
            var cluster = new ClusterBuilder(primaries, empty: random.Next(0, Math.Min(2, primaries - 1) + 1));
            var hot = random.Next(0, SlotRange.SlotCount - 2000);
            cluster.WithKeys(slot => random.Next(0, 50) + (slot >= hot && slot < hot + 2000 ? random.Next(0, 200) : 0));
            var weights = new Dictionary<string, double>();
            if (random.Next(3) == 0)
            {
                weights[Ids[0]] = 1 + random.Next(3);
            }

            var goal = Goal(weights: weights);

            var plan = LoadPlanner.Plan(cluster.Input, goal);

            AssertValid(cluster.Input, goal, plan);
            var smallestTarget = plan.Nodes.Where(n => n.Weight > 0).Min(n => n.Target);
            if (cluster.Load.Max() * 4 < 0.02 * smallestTarget)
            {
                AssertWithinThreshold(plan, 0.02);
                Assert.True(plan.KeysToMove <= (1.1 * LeastToMove(plan, 0.02)) + (plan.Moves.Length * cluster.Load.Max()),
                    $"seed {seed} round {round}: {plan.KeysToMove:N0} keys moved, at least {LeastToMove(plan, 0.02):N0} needed");
            }

            Assert.Equal(plan, LoadPlanner.Plan(cluster.Input, goal), PlanComparer.Instance);
        }
    }

    private sealed class PlanComparer : IEqualityComparer<PlannerResult>
    {
        public static readonly PlanComparer Instance = new();

        public bool Equals(PlannerResult? x, PlannerResult? y) =>
            x is not null && y is not null && x.Moves.SequenceEqual(y.Moves) && x.Nodes.SequenceEqual(y.Nodes) && x.Warnings.SequenceEqual(y.Warnings);

        public int GetHashCode(PlannerResult obj) => obj.Moves.Length;
    }
}
