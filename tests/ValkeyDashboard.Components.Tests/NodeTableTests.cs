using Bunit;
using Microsoft.AspNetCore.Components.Web;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Components.Controls;
using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// The nodes panel of a large cluster: a compact table of primaries (rows that take drops and highlight their slots),
/// filtered and sorted, a card on demand, and a toggle between table and cards at any size.
/// </summary>
public class NodeTableTests : DashboardTestContext
{
    private IRenderedComponent<NodesPanel> RenderPanel(int primaries, bool canOperate = true) => Render<NodesPanel>(p => p
        .Add(c => c.Snapshot, TestSnapshots.Many(primaries))
        .Add(c => c.CanOperate, canOperate)
        .Add(c => c.Actor, "alice"));

    private static IEnumerable<string?> RowIds(IRenderedComponent<NodesPanel> cut) =>
        cut.FindAll("td[data-testid^='node-row-']").Select(r => r.GetAttribute("data-testid")!["node-row-".Length..]);

    [Fact]
    public void More_primaries_than_the_threshold_are_listed_in_a_table_with_every_replica_and_no_cards()
    {
        var cut = RenderPanel(13);

        Assert.Equal(Enumerable.Range(0, 13).Select(i => TestSnapshots.ManyId(i)), RowIds(cut));
        Assert.Empty(cut.FindAll("[data-testid^='node-card-']"));
        Assert.Equal("127.0.0.1:20004", cut.Find($"td [data-testid='node-row-{TestSnapshots.ManyId(4, replica: true)}']").TextContent);
        Assert.Equal("online", cut.Find($"td [data-testid='node-row-{TestSnapshots.ManyId(4, replica: true)}']").GetAttribute("data-health"));
        Assert.Equal("13 of 13 primaries", cut.Find("[data-testid='node-table-count']").TextContent);
    }

    [Fact]
    public void Up_to_the_threshold_the_cards_show_and_the_toggle_turns_them_into_the_table_and_back()
    {
        var cut = RenderPanel(12);
        Assert.Equal(12, cut.FindAll("[data-testid^='node-card-']").Count);
        Assert.Empty(RowIds(cut));

        // The view changes on the render after the click, which a busy machine may not have done by the next line.
        cut.Find("[data-testid='nodes-view-table']").Click();
        cut.WaitForAssertion(() => Assert.Equal(12, RowIds(cut).Count()), TimeSpan.FromSeconds(10));
        Assert.Empty(cut.FindAll("[data-testid^='node-card-']"));

        cut.Find("[data-testid='nodes-view-cards']").Click();
        cut.WaitForAssertion(() => Assert.Equal(12, cut.FindAll("[data-testid^='node-card-']").Count), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void The_threshold_is_a_setting()
    {
        DashboardOptions.NodeTableAbovePrimaries = 2;

        var cut = Render<NodesPanel>(p => p.Add(c => c.Snapshot, TestSnapshots.Ok()).Add(c => c.CanOperate, true).Add(c => c.Actor, "alice"));

        Assert.Equal(TestSnapshots.PrimaryIds, RowIds(cut));
    }

    [Fact]
    public void The_filter_narrows_the_rows_by_endpoint_id_or_a_replicas_endpoint()
    {
        var cut = RenderPanel(30);

        cut.Find("[data-testid='node-filter']").Input("127.0.0.1:1001");
        cut.WaitForAssertion(() => Assert.Equal(Enumerable.Range(10, 10).Select(i => TestSnapshots.ManyId(i)), RowIds(cut)));
        Assert.Equal("10 of 30 primaries", cut.Find("[data-testid='node-table-count']").TextContent);

        cut.Find("[data-testid='node-filter']").Input("127.0.0.1:20027");
        cut.WaitForAssertion(() => Assert.Equal([TestSnapshots.ManyId(27)], RowIds(cut)));

        cut.Find("[data-testid='node-filter']").Input(TestSnapshots.ManyId(3)[..40]);
        cut.WaitForAssertion(() => Assert.Equal([TestSnapshots.ManyId(3)], RowIds(cut)));

        cut.Find("[data-testid='node-filter']").Input("nothing like this");
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid='node-table-empty']")));
        Assert.Empty(RowIds(cut));
    }

    [Fact]
    public async Task Sorting_by_keys_puts_the_primary_with_most_keys_first_when_descending()
    {
        var cut = RenderPanel(15);

        await cut.Find("[data-testid='sort-keys']").ClickAsync(new MouseEventArgs());
        Assert.Equal(TestSnapshots.ManyId(0), RowIds(cut).First());
        await cut.Find("[data-testid='sort-keys']").ClickAsync(new MouseEventArgs());
        Assert.Equal(TestSnapshots.ManyId(14), RowIds(cut).First());
    }

    [Fact]
    public void For_an_operator_every_cell_of_a_row_takes_drops_for_its_primary_and_every_row_names_its_primary_for_the_highlight()
    {
        var cut = RenderPanel(13);
        var id = TestSnapshots.ManyId(7);

        var cells = cut.FindAll($"td[{HeatMapContract.DropNodeAttributeName}='{id}']");
        Assert.Equal(8, cells.Count);
        Assert.All(cells, c => Assert.Equal(id, c.GetAttribute(HeatMapContract.OwnerAttributeName)));
    }

    [Fact]
    public void A_viewers_rows_take_no_drops_but_still_highlight()
    {
        var cut = RenderPanel(13, canOperate: false);

        Assert.Empty(cut.FindAll($"[{HeatMapContract.DropNodeAttributeName}]"));
        Assert.Equal(13 * 8, cut.FindAll($"td[{HeatMapContract.OwnerAttributeName}]").Count);
    }

    [Fact]
    public async Task A_rows_full_card_opens_on_demand_with_its_commands_and_closes_again()
    {
        var cut = RenderPanel(13);
        var id = TestSnapshots.ManyId(5);

        await cut.Find($"[data-testid='open-node-card-{id}']").ClickAsync(new MouseEventArgs());

        Assert.Single(cut.FindAll($"[data-testid='node-card-{id}']"));
        Assert.NotNull(cut.Find($"[data-testid='node-stop-{id}']"));
        Assert.Empty(RowIds(cut));

        await cut.Find("[data-testid='opened-node-card-close']").ClickAsync(new MouseEventArgs());
        Assert.Empty(cut.FindAll($"[data-testid='node-card-{id}']"));
        Assert.Equal(13, RowIds(cut).Count());
    }

    [Fact]
    public void While_polls_do_not_fit_the_interval_the_panel_says_how_often_the_cluster_is_read_and_stops_saying_it_when_they_fit()
    {
        var slow = TestSnapshots.Many(13) with { Cadence = MonitorCadence.Initial(TimeSpan.FromSeconds(1)).After(TimeSpan.FromMilliseconds(1240), TimeSpan.FromSeconds(30)) };
        var cut = Render<NodesPanel>(p => p.Add(c => c.Snapshot, slow).Add(c => c.Actor, "alice"));

        Assert.Equal(
            "Reading all 26 nodes took 1.2 s, longer than the poll interval of 1.0 s allows: the dashboard reads the cluster every 2.5 s until polls fit again.",
            System.Text.RegularExpressions.Regex.Replace(cut.Find("[data-testid='monitor-slow']").TextContent, @"\s+", " ").Trim());

        cut.Render(p => p.Add(c => c.Snapshot, slow with { Cadence = slow.Cadence!.After(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(30)) }));
        Assert.Empty(cut.FindAll("[data-testid='monitor-slow']"));
    }
}
