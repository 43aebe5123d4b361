using Bunit;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

/// <summary>The hot-slot panel lists the slots the history shows busiest, with owner, share and trend; a click picks one.</summary>
public sealed class HotSlotsPanelTests : DashboardTestContext
{
    private async Task StoreAsync()
    {
        var now = DateTimeOffset.UtcNow;
        await Database.IdentifyClusterAsync(TestSnapshots.PrimaryIds, now);
        // The minute before: slot 42 at 100 µs/s; the last minute: slot 42 at 300, slot 6000 at 50, slot 7 at 100.
        await HistoryStore.AppendAsync(0, HistoryPoints.At(now.AddSeconds(-90), cpu: [(42, 100)]));
        await HistoryStore.AppendAsync(0, HistoryPoints.At(now.AddSeconds(-30), cpu: [(42, 300), (7, 100), (6000, 50)]));
    }

    [Fact]
    public async Task The_busiest_slots_come_first_with_owner_share_and_trend()
    {
        await StoreAsync();

        var cut = Render<HotSlotsPanel>();

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tr.hot-slot").Count));
        var rows = cut.FindAll("tr.hot-slot");
        Assert.Equal(["hot-slot-42", "hot-slot-7", "hot-slot-6000"], rows.Select(r => r.GetAttribute("data-testid")));
        var first = rows[0].QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal("127.0.0.1:7000", first[1]);
        Assert.Equal("75%", first[3]); // 300 of the 400 µs/s its owner spends
        // Three times the minute before: +200 % (the figures are quantised, so within a few per cent).
        Assert.StartsWith("▲ ", first[4], StringComparison.Ordinal);
        Assert.InRange(int.Parse(first[4][2..^1], System.Globalization.CultureInfo.InvariantCulture), 190, 210);
        Assert.Equal("100%", rows[2].QuerySelectorAll("td")[3].TextContent.Trim()); // alone on its owner
        Assert.Equal("–", rows[1].QuerySelectorAll("td")[4].TextContent.Trim()); // idle before: no trend
    }

    [Fact]
    public async Task Clicking_a_hot_slot_picks_it()
    {
        await StoreAsync();
        var picked = new List<int>();
        var cut = Render<HotSlotsPanel>(p => p.Add(c => c.SlotSelected, (int slot) => picked.Add(slot)));
        cut.WaitForAssertion(() => cut.Find("[data-testid='hot-slot-7']"));

        await cut.Find("[data-testid='hot-slot-7']").ClickAsync(new());

        Assert.Equal([7], picked);
    }

    [Fact]
    public async Task Ranked_by_keys_every_slot_holds_as_many_and_the_lowest_numbers_come_first()
    {
        await StoreAsync();
        var cut = Render<HotSlotsPanel>(p => p.Add(c => c.Limit, 2));
        cut.WaitForAssertion(() => cut.Find("[data-testid='hot-slot-42']"));

        await cut.Find("[data-testid='hot-slots-metric']").ChangeAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = "keys" });

        cut.WaitForAssertion(() => Assert.Equal(["hot-slot-0", "hot-slot-1"], cut.FindAll("tr.hot-slot").Select(r => r.GetAttribute("data-testid"))));
        Assert.Equal("10", cut.Find("[data-testid='hot-slot-0']").QuerySelectorAll("td")[2].TextContent.Trim());
    }
}
