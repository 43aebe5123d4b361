using Bunit;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Components.Controls;
using ValkeyDashboard.Model;
using ValkeyDashboard.Model.History;

namespace ValkeyDashboard.Components.Tests;

/// <summary>The time slider: moving it back hands over the stored moment, marks jump to a migration's start, Live hands back live.</summary>
public sealed class HistorySliderTests : DashboardTestContext
{
    private static readonly DateTimeOffset T0 = TestMigrations.Created;

    private readonly List<SlotHistoryMoment?> _moments = [];

    private async Task StoreAsync()
    {
        await Database.IdentifyClusterAsync(TestSnapshots.PrimaryIds, T0);
        await HistoryStore.AppendAsync(0, HistoryPoints.At(T0, slot0Owner: 0));
        await HistoryStore.AppendAsync(0, HistoryPoints.At(T0.AddSeconds(10), slot0Owner: 0));
        await HistoryStore.AppendAsync(0, HistoryPoints.At(T0.AddSeconds(20), slot0Owner: 1));
    }

    private IRenderedComponent<HistorySlider> RenderSlider(MigrationBoard? board = null) => Render<HistorySlider>(p => p
        .Add(c => c.Now, T0.AddSeconds(30))
        .Add(c => c.Migrations, board)
        .Add(c => c.MomentChanged, (SlotHistoryMoment? m) => _moments.Add(m)));

    [Fact]
    public async Task Moving_the_slider_back_hands_over_the_nearest_stored_moment_and_says_which()
    {
        await StoreAsync();
        var cut = RenderSlider();
        Assert.Equal("30", cut.Find("[data-testid='history-slider']").GetAttribute("max"));

        await cut.Find("[data-testid='history-slider']").ChangeAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = "15" });

        var moment = Assert.Single(_moments);
        Assert.Equal(T0.AddSeconds(10), moment!.Point.At);
        Assert.Equal(0, moment.Layers[Model.HeatMap.HeatMapLayer.Owner][0]);
        Assert.Contains("Showing", cut.Find("[data-testid='history-moment']").TextContent, StringComparison.Ordinal);
        Assert.Equal("15", cut.Find("[data-testid='history-slider']").GetAttribute("value"));
    }

    [Fact]
    public async Task Live_hands_back_the_live_map()
    {
        await StoreAsync();
        var cut = RenderSlider();
        Assert.True(cut.Find("[data-testid='history-live']").HasAttribute("disabled"));
        await cut.Find("[data-testid='history-slider']").ChangeAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = "25" });

        await cut.Find("[data-testid='history-live']").ClickAsync(new());

        Assert.Equal(2, _moments.Count);
        Assert.Equal(T0.AddSeconds(20), _moments[0]!.Point.At);
        Assert.Null(_moments[1]);
        Assert.Equal("Live", cut.Find("[data-testid='history-moment']").TextContent.Trim());
        Assert.Equal("30", cut.Find("[data-testid='history-slider']").GetAttribute("value"));
    }

    [Fact]
    public async Task A_migration_is_a_mark_at_its_start_that_jumps_to_the_moment_before_it()
    {
        await StoreAsync();
        Migrations.Publish(TestMigrations.Succeeded("m-1", TimeSpan.FromSeconds(2)) with { StartedAt = T0.AddSeconds(18), CreatedAt = T0.AddSeconds(18) });
        await using var board = new MigrationBoard(Migrations, () => { }, TimeProvider.System);
        await Wait.UntilAsync(_ => Task.FromResult(board.HistoryItems.Count == 1), TimeSpan.FromSeconds(5), "the board to load the migration", TimeSpan.FromMilliseconds(10));
        var cut = RenderSlider(board);

        var mark = cut.Find("[data-testid='history-mark-m-1']");
        Assert.Contains("left:60%", mark.GetAttribute("style"), StringComparison.Ordinal);
        await mark.ClickAsync(new());

        // The nearest point at or before its start: the owner before the migration.
        var moment = Assert.Single(_moments);
        Assert.Equal(T0.AddSeconds(10), moment!.Point.At);
    }

    [Fact]
    public void Without_any_history_the_slider_is_disabled_and_says_so()
    {
        var cut = RenderSlider();

        Assert.True(cut.Find("[data-testid='history-slider']").HasAttribute("disabled"));
        Assert.Contains("history starts", cut.Find("[data-testid='history-moment']").TextContent, StringComparison.Ordinal);
    }
}
