using Bunit;
using Microsoft.AspNetCore.Components.Web;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

/// <summary>The selection in exact figures from the snapshot, and the Move button for keyboard users.</summary>
public class SelectionSummaryTests : DashboardTestContext
{
    /// <summary>Keys in slots 0, 50 and 5461; slots 90-99 belong to no primary.</summary>
    private static ClusterSnapshot Snapshot()
    {
        var ok = TestSnapshots.Ok(statistics: TestSnapshots.Keys((0, 10), (50, 5), (95, 1_000), (5461, 7)));
        var owners = ok.SlotOwners.ToBuilder();
        for (var slot = 90; slot <= 99; slot++)
        {
            owners[slot] = null;
        }

        return ok with { SlotOwners = owners.ToImmutable(), SlotsAssigned = SlotRange.SlotCount - 10 };
    }

    private IRenderedComponent<SelectionSummary> Render(string selection, string? target = null, bool canMove = true, Action? moveRequested = null) =>
        Render<SelectionSummary>(p => p
            .Add(c => c.Selection, SlotRangeSet.Parse(selection))
            .Add(c => c.Snapshot, Snapshot())
            .Add(c => c.Target, target)
            .Add(c => c.CanMove, canMove)
            .Add(c => c.MoveRequested, moveRequested ?? (() => { })));

    [Fact]
    public void The_summary_counts_the_selected_slots_and_each_owners_slots_and_keys()
    {
        var cut = Render("0-99,5461-5470");

        Assert.Equal("110 slots selected", cut.Find("[data-testid='selection-count']").Text());
        Assert.Equal("0-99,5461-5470", cut.Find("[data-testid='selection-ranges']").Text());
        var owners = cut.FindAll("[data-testid='selection-owners'] .mud-chip").Select(c => c.Text()).ToList();
        Assert.Equal(["127.0.0.1:7000: 90 slots, 15 keys", "127.0.0.1:7001: 10 slots, 7 keys", "10 unassigned"], owners);
        Assert.Equal("22 keys", cut.Find("[data-testid='selection-keys']").Text());
    }

    [Fact]
    public void A_single_slot_reads_as_one_slot()
    {
        var cut = Render("5461");

        Assert.Equal("1 slot selected", cut.Find("[data-testid='selection-count']").Text());
    }

    [Fact]
    public void Without_a_selection_the_summary_explains_how_to_select_and_offers_no_move()
    {
        var cut = Render<SelectionSummary>(p => p.Add(c => c.Selection, SlotRangeSet.Empty).Add(c => c.Snapshot, Snapshot()));

        Assert.Contains("drag across the map", cut.Markup, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid='move-selection']"));
    }

    [Fact]
    public void Move_is_disabled_until_a_target_is_chosen()
    {
        var cut = Render("0-99");

        Assert.True(cut.Find("[data-testid='move-selection']").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Move_with_a_target_raises_MoveRequested()
    {
        var requests = 0;
        var cut = Render("0-99", target: TestSnapshots.PrimaryIds[2], moveRequested: () => requests++);

        await cut.Find("[data-testid='move-selection']").ClickAsync(new MouseEventArgs());

        Assert.Equal(1, requests);
    }

    [Fact]
    public void A_role_that_may_not_move_sees_Move_disabled_and_why()
    {
        var cut = Render("0-99", target: TestSnapshots.PrimaryIds[2], canMove: false);

        Assert.True(cut.Find("[data-testid='move-selection']").HasAttribute("disabled"));
        Assert.Contains("may look but not move slots", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_move_to_chooser_is_searchable_by_endpoint_and_id_and_a_pick_sets_the_target()
    {
        string? chosen = null;
        var cut = Render<SelectionSummary>(p => p
            .Add(c => c.Selection, SlotRangeSet.Parse("0-99"))
            .Add(c => c.Snapshot, Snapshot())
            .Add(c => c.TargetChanged, (string? id) => chosen = id));

        Assert.Equal(TestSnapshots.PrimaryIds, await cut.Instance.SearchTargetsAsync(null, CancellationToken.None));
        Assert.Equal([TestSnapshots.PrimaryIds[1]], await cut.Instance.SearchTargetsAsync(TestSnapshots.PrimaryIds[1][..6], CancellationToken.None));

        cut.Find("input[data-testid='selection-target']").Input("7002");

        await Popovers.WaitForAssertionAsync(() => Assert.Equal(["127.0.0.1:7002"], Popovers.FindAll(".mud-list-item").Select(i => i.TextContent.Trim())));
        await Popovers.Find(".mud-list-item").ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());
        Assert.Equal(TestSnapshots.PrimaryIds[2], chosen);
    }
}
