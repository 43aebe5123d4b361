using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Migrations.Keys;
using ValkeyDashboard.Cluster.Migrations.OpenSlots;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Cluster.Tests;

/// <summary>
/// Open slots read from <c>CLUSTER NODES</c> replies captured from Valkey 9.1.2 (slot 100 moving from 17931 to 17933
/// with <c>SETSLOT IMPORTING</c>/<c>MIGRATING</c>, slot 200 marked migrating on 17931 only), and the repair each gets.
/// </summary>
public class OpenSlotTests
{
    private const string Node17931 = "db041cec4e0571407dea86e23e9a7bc6786b1a4a";
    private const string Node17932 = "e9d2dec14f2f34773b9a7454679bcdd8c6060110";
    private const string Node17933 = "4124d667021121ae1a99370ec079ddf255a495b0";

    private static readonly ImmutableArray<NodeAddress> Primaries =
        [new(Node17931, "127.0.0.1:17931"), new(Node17932, "127.0.0.1:17932"), new(Node17933, "127.0.0.1:17933")];

    [Fact]
    public void The_parser_reads_ownership_and_the_open_slot_marks_of_the_myself_line()
    {
        var lines = ClusterNodesParser.Parse(CapturedReplies.LoadText("cluster-nodes-migrating.resp"));

        var myself = Assert.Single(lines, l => l.IsMyself);
        Assert.Equal(Node17931, myself.Id);
        Assert.Equal("127.0.0.1:17931", myself.Endpoint);
        Assert.True(myself.IsPrimary);
        Assert.Equal("0-5460", myself.Slots.ToString());
        Assert.Equal(
            [new OpenSlotMark(100, OpenSlotDirection.Migrating, Node17933), new OpenSlotMark(200, OpenSlotDirection.Migrating, Node17933)],
            myself.OpenSlots.ToArray());
        Assert.All(lines.Where(l => !l.IsMyself), l => Assert.Empty(l.OpenSlots));
        Assert.Equal("10923-16383", lines.Single(l => l.Id == Node17933).Slots.ToString());

        var importing = ClusterNodesParser.Parse(CapturedReplies.LoadText("cluster-nodes-importing.resp")).Single(l => l.IsMyself);
        Assert.Equal([new OpenSlotMark(100, OpenSlotDirection.Importing, Node17931)], importing.OpenSlots.ToArray());
    }

    [Fact]
    public void The_scanner_joins_each_primary_s_own_marks_into_one_open_slot_per_slot()
    {
        var open = OpenSlotScanner.Find(MyselfLines());

        Assert.Equal([100, 200], open.Select(o => o.Slot));
        var slot100 = open[0];
        Assert.Equal(Node17931, slot100.OwnerId);
        Assert.Equal(Node17931, Assert.Single(slot100.Migrating).Id);
        Assert.Equal(Node17933, Assert.Single(slot100.Importing).Id);
        Assert.Equal("slot 200: migrating on 127.0.0.1:17931, importing on none", open[1].ToString());
    }

    [Theory]
    [InlineData(5, 3, 0, OpenSlotFix.Finish, Node17933)]     // keys on both sides: finish the move
    [InlineData(0, 0, 0, OpenSlotFix.Finish, Node17933)]     // no keys anywhere: finishing costs nothing
    [InlineData(0, 8, 0, OpenSlotFix.Finish, Node17933)]     // every key already arrived
    [InlineData(5, 0, 0, OpenSlotFix.RollBack, Node17931)]   // nothing arrived: close the slot, nothing moves
    public void A_slot_migrating_on_one_node_and_importing_on_another_is_finished_or_rolled_back_by_where_its_keys_are(
        long onSource, long onTarget, long elsewhere, OpenSlotFix fix, string owner)
    {
        var slot = OpenSlotScanner.Find(MyselfLines()).Single(o => o.Slot == 100);

        var decision = OpenSlotRepair.Decide(slot, Primaries, Keys(onSource, elsewhere, onTarget));

        Assert.Equal(fix, decision.Fix);
        Assert.Equal(owner, decision.Owner!.Id);
        Assert.Equal(fix == OpenSlotFix.Finish ? [Node17931] : [], decision.MoveKeysFrom.Select(n => n.Id));
    }

    [Fact]
    public void A_slot_only_importing_is_rolled_back_to_its_owner_with_the_keys_it_received()
    {
        var slot = OpenSlotScanner.Find([.. MyselfLines().Where(l => l.Id == Node17933)]).Single();
        slot = slot with { OwnerId = Node17931 };

        var decision = OpenSlotRepair.Decide(slot, Primaries, Keys(4, 0, 2));

        Assert.Equal(OpenSlotFix.RollBack, decision.Fix);
        Assert.Equal(Node17931, decision.Owner!.Id);
        Assert.Equal([Node17933], decision.MoveKeysFrom.Select(n => n.Id));
        Assert.Equal([Node17933], decision.Stabilize.Select(n => n.Id));
    }

    [Fact]
    public void A_slot_only_migrating_with_its_keys_at_home_is_closed_on_its_owner()
    {
        var slot = OpenSlotScanner.Find(MyselfLines()).Single(o => o.Slot == 200);

        var decision = OpenSlotRepair.Decide(slot, Primaries, Keys(3, 0, 0));

        Assert.Equal(OpenSlotFix.RollBack, decision.Fix);
        Assert.Equal(Node17931, decision.Owner!.Id);
        Assert.Empty(decision.MoveKeysFrom);
        Assert.Contains("no node imports it or holds its keys", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_migrating_nodes_are_left_to_a_person()
    {
        var slot = OpenSlotScanner.Find(MyselfLines()).Single(o => o.Slot == 100);
        slot = slot with { Migrating = [.. slot.Migrating, new OpenSlotNode(Node17932, "127.0.0.1:17932", Node17933)] };

        var decision = OpenSlotRepair.Decide(slot, Primaries, Keys(1, 1, 1));

        Assert.Equal(OpenSlotFix.Manual, decision.Fix);
        Assert.Contains("no automatic fix is safe", decision.Reason, StringComparison.Ordinal);
    }

    private static Dictionary<string, long> Keys(long on17931, long on17932, long on17933) =>
        new() { [Node17931] = on17931, [Node17932] = on17932, [Node17933] = on17933 };

    /// <summary>What each primary says of itself: 17931 and 17933 from the captures; 17932 (no open slot) from 17931's view.</summary>
    private static List<ClusterNodesEntry> MyselfLines()
    {
        var migrating = ClusterNodesParser.Parse(CapturedReplies.LoadText("cluster-nodes-migrating.resp"));
        var importing = ClusterNodesParser.Parse(CapturedReplies.LoadText("cluster-nodes-importing.resp"));
        return [migrating.Single(l => l.IsMyself), migrating.Single(l => l.Id == Node17932), importing.Single(l => l.IsMyself)];
    }
}
