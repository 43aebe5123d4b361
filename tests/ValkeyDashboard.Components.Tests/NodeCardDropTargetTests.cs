using Bunit;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

/// <summary>A card is a drop target, and its range chips drag handles, for the heat map's script only when it accepts drops.</summary>
public class NodeCardDropTargetTests : DashboardTestContext
{
    [Fact]
    public void A_card_that_accepts_drops_names_its_node_and_the_ranges_of_its_chips()
    {
        var cut = Render<NodeCard>(p => p.Add(c => c.Primary, TestSnapshots.Primary(1)).Add(c => c.AcceptsDrops, true));

        Assert.Equal(TestSnapshots.PrimaryIds[1], cut.Find($"[data-testid='node-card-{TestSnapshots.PrimaryIds[1]}']").GetAttribute("data-drop-node"));
        Assert.Equal("5461-10921", cut.Find("[data-testid='slot-range-chip-5461-10921']").GetAttribute("data-slot-range"));
    }

    [Fact]
    public void A_card_that_does_not_accept_drops_has_neither_attribute()
    {
        var cut = Render<NodeCard>(p => p.Add(c => c.Primary, TestSnapshots.Primary(1)));

        Assert.Empty(cut.FindAll("[data-drop-node]"));
        Assert.Empty(cut.FindAll("[data-slot-range]"));
    }
}
