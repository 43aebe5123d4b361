using System.Reflection;
using Bunit;
using Microsoft.JSInterop;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

/// <summary>What the browser reports (by the names <c>wwwroot/js/slot-heatmap.js</c> calls) reaches the page as parsed slot sets.</summary>
public class SlotHeatMapCallbackTests : DashboardTestContext
{
    /// <summary>Calls the component the way the module does: <c>dotnet.invokeMethodAsync(identifier, …)</c>.</summary>
    private static Task FromBrowserAsync(IRenderedComponent<SlotHeatMap> cut, string identifier, params object[] args)
    {
        var method = typeof(SlotHeatMap).GetMethods()
            .Single(m => m.GetCustomAttribute<JSInvokableAttribute>()?.Identifier == identifier);
        return cut.InvokeAsync(() => (Task)method.Invoke(cut.Instance, args)!);
    }

    [Theory]
    [InlineData("0-99", "0-99")]
    [InlineData("200,0-99,100", "0-100,200")]
    [InlineData("", "")]
    public async Task A_committed_selection_raises_SelectionChanged_with_the_parsed_slots(string fromBrowser, string expected)
    {
        SlotRangeSet? selected = null;
        var cut = Render<SlotHeatMap>(p => p.Add(c => c.SelectionChanged, s => selected = s));

        await FromBrowserAsync(cut, "SelectionChanged", fromBrowser);

        Assert.NotNull(selected);
        Assert.Equal(expected, selected.ToString());
    }

    [Fact]
    public async Task A_drop_on_a_node_card_raises_Dropped_with_the_slots_and_the_node()
    {
        SlotDrop? dropped = null;
        var cut = Render<SlotHeatMap>(p => p.Add(c => c.Dropped, d => dropped = d));

        await FromBrowserAsync(cut, "Dropped", "0-99", TestSnapshots.PrimaryIds[2]);

        Assert.Equal(new SlotDrop(SlotRangeSet.Parse("0-99"), TestSnapshots.PrimaryIds[2]), dropped);
    }

    [Theory]
    [InlineData("")]
    [InlineData("99-0")]
    [InlineData("16384")]
    public async Task A_drop_without_valid_slots_is_ignored(string fromBrowser)
    {
        var drops = 0;
        var cut = Render<SlotHeatMap>(p => p.Add(c => c.Dropped, _ => drops++));

        await FromBrowserAsync(cut, "Dropped", fromBrowser, TestSnapshots.PrimaryIds[2]);

        Assert.Equal(0, drops);
    }

    [Fact]
    public async Task Enter_on_the_map_raises_MoveRequested()
    {
        var requests = 0;
        var cut = Render<SlotHeatMap>(p => p.Add(c => c.MoveRequested, () => requests++));

        await FromBrowserAsync(cut, "MoveRequested");

        Assert.Equal(1, requests);
    }
}
