using Bunit;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Components.Pages;
using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.Components.Tests;

/// <summary>Where the servers cannot report CPU and network per slot, the page and the heat map say why instead of drawing zeros.</summary>
public class UnavailableLayersTests : DashboardTestContext
{
    private const string RedisReason = "CPU and network per slot need CLUSTER SLOT-STATS (Valkey 8+); this cluster runs Redis 7.0.15.";

    [Fact]
    public void On_a_redis_cluster_the_page_names_the_server_the_load_layers_need_and_disables_them()
    {
        var cut = Render<Home>();

        Snapshots.Publish(Redis());

        cut.WaitForAssertion(() => Assert.Equal(RedisReason, cut.Find("[data-testid='no-slot-stats']").TextContent.Trim()));
        Assert.Contains("CLUSTER COUNTKEYSINSLOT", cut.Find("[data-testid='swept-key-counts']").TextContent, StringComparison.Ordinal);
        foreach (var metric in new[] { "metric-cpu", "metric-network-in", "metric-network-out" })
        {
            Assert.True(cut.Find($"[data-testid='{metric}']").HasAttribute("disabled"), $"{metric} should be disabled");
        }

        Assert.False(cut.Find("[data-testid='metric-keys']").HasAttribute("disabled"));
    }

    [Fact]
    public void With_load_figures_reported_the_page_has_no_unavailable_note()
    {
        var cut = Render<Home>();

        Snapshots.Publish(TestSnapshots.Ok(statistics: new SlotStatistics(new long[SlotRange.SlotCount], new long[SlotRange.SlotCount], new long[SlotRange.SlotCount], new long[SlotRange.SlotCount])));

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid^='node-card-']").Count));
        Assert.Empty(cut.FindAll("[data-testid='no-slot-stats']"));
        Assert.Empty(cut.FindAll("[data-testid='swept-key-counts']"));
        Assert.False(cut.Find("[data-testid='metric-cpu']").HasAttribute("disabled"));
    }

    [Fact]
    public void The_heat_map_layers_carry_the_reason_and_frames_mark_the_load_layers_unavailable()
    {
        var layers = SlotHeatLayers.From(Redis(), null, null);

        Assert.Equal(RedisReason, layers.UnavailableReason);
        Assert.True(layers.Has(HeatMapLayer.Keys));
        Assert.False(layers.Has(HeatMapLayer.Cpu));
        var frame = HeatMapFrame.Decode(new HeatMapFrameEncoder().Encode(layers, HeatMapLayer.Keys)!);
        Assert.Equal(
            [HeatMapLayer.Cpu, HeatMapLayer.NetworkIn, HeatMapLayer.NetworkOut],
            frame.Sections.Where(s => s.Encoding == FrameEncoding.Unavailable).Select(s => s.Layer).Order());
    }

    /// <summary>The test cluster as Redis 7.0.15 answers: key counts (swept), no CPU or network.</summary>
    private static ClusterSnapshot Redis()
    {
        var ok = TestSnapshots.Ok(statistics: TestSnapshots.Keys((7, 300)));
        return ok with { Nodes = [.. ok.Nodes.Select(n => n.IsPrimary ? TestSnapshots.RedisPrimary(Array.IndexOf(TestSnapshots.PrimaryIds, n.Id)) : n)] };
    }
}
