using Bunit;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

public class NodeCardTests : DashboardTestContext
{
    [Fact]
    public void Card_shows_the_primary_its_slot_ranges_and_each_replica_with_figures()
    {
        var cut = Render<NodeCard>(p => p
            .Add(c => c.Primary, TestSnapshots.Primary(1))
            .Add(c => c.Replicas, [TestSnapshots.Replica(1)])
            .Add(c => c.OwnerColor, "#f28e2b"));

        var card = cut.Find($"[data-testid='node-card-{TestSnapshots.PrimaryIds[1]}']");
        Assert.Contains("127.0.0.1:7001", card.TextContent, StringComparison.Ordinal);
        Assert.Contains("bbbbbbbb", card.TextContent, StringComparison.Ordinal);
        Assert.Contains("Valkey 9.1.2", card.TextContent, StringComparison.Ordinal);
        Assert.Equal("5461-10921", cut.Find("[data-testid='slot-range-chip-5461-10921']").TextContent.Trim());

        var replicaRow = cut.Find($"[data-testid='node-row-{TestSnapshots.ReplicaIds[1]}']");
        Assert.Contains("127.0.0.1:7004", replicaRow.TextContent, StringComparison.Ordinal);
        Assert.Contains("2,000", replicaRow.TextContent, StringComparison.Ordinal);
        Assert.Contains("2.0 MiB", replicaRow.TextContent, StringComparison.Ordinal);
        Assert.Contains("online", replicaRow.TextContent, StringComparison.Ordinal);
        Assert.Contains("3.0 MiB", cut.Find($"[data-testid='node-row-{TestSnapshots.PrimaryIds[1]}']").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_replica_is_marked_failed_with_the_reason()
    {
        var cut = Render<NodeCard>(p => p
            .Add(c => c.Primary, TestSnapshots.Primary(0))
            .Add(c => c.Replicas, [TestSnapshots.Replica(0, NodeHealth.Failed)]));

        var health = cut.Find($"[data-testid='node-row-{TestSnapshots.ReplicaIds[0]}'] [data-testid='health']");
        Assert.Equal("failed", health.TextContent.Trim());
        Assert.Equal("Connection refused", health.GetAttribute("title"));
    }

    [Fact]
    public void A_primary_without_replicas_or_slots_says_so()
    {
        var lonely = TestSnapshots.Primary(2) with { Slots = SlotRangeSet.Empty };

        var cut = Render<NodeCard>(p => p.Add(c => c.Primary, lonely).Add(c => c.Replicas, []));

        Assert.Contains("no slots", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("no replicas", cut.Markup, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid^='slot-range-chip-']"));
    }

    [Fact]
    public void Many_ranges_are_capped_with_a_count_of_the_rest()
    {
        var fragmented = TestSnapshots.Primary(0) with { Slots = SlotRangeSet.FromSlots(Enumerable.Range(0, 20).Select(i => i * 2)) };

        var cut = Render<NodeCard>(p => p.Add(c => c.Primary, fragmented));

        Assert.Equal(12, cut.FindAll("[data-testid^='slot-range-chip-']").Count);
        Assert.Contains("+8 more ranges", cut.Markup, StringComparison.Ordinal);
    }
}
