using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Cluster.Tests;

public class NodeCapabilitiesTests
{
    [Fact]
    public void Valkey_9_info_captured_from_a_real_node_offers_everything()
    {
        var info = InfoReply.Parse(CapturedReplies.LoadText("info-primary.resp"));

        Assert.Equal(ServerProduct.Valkey, NodeCapabilityNames.ProductOf(info));
        Assert.Equal(
            ["cluster-shards", "slot-stats", "slot-stats-load", "atomic-slot-migration", "key-migration"],
            NodeCapabilityNames.Of(NodeCapabilityNames.FromInfo(info)).ToArray());
    }

    [Theory]
    [InlineData("redis_version:7.0.15", ServerProduct.Redis, "cluster-shards key-migration")]
    [InlineData("redis_version:8.0.6", ServerProduct.Redis, "cluster-shards key-migration")]
    [InlineData("redis_version:6.2.14", ServerProduct.Redis, "key-migration")]
    [InlineData("redis_version:7.2.4\nserver_name:valkey\nvalkey_version:8.0.1", ServerProduct.Valkey, "cluster-shards slot-stats slot-stats-load key-migration")]
    [InlineData("redis_version:7.2.4\nserver_name:valkey\nvalkey_version:7.2.8", ServerProduct.Valkey, "cluster-shards key-migration")]
    [InlineData("redis_version:7.2.4\nserver_name:valkey\nvalkey_version:9.0.0", ServerProduct.Valkey, "cluster-shards slot-stats slot-stats-load atomic-slot-migration key-migration")]
    [InlineData("uptime_in_seconds:3", ServerProduct.Unknown, "")]
    public void Product_and_version_decide_what_a_server_offers(string infoText, ServerProduct product, string expected)
    {
        var info = InfoReply.Parse("# Server\r\n" + infoText.Replace("\n", "\r\n") + "\r\n");

        Assert.Equal(product, NodeCapabilityNames.ProductOf(info));
        Assert.Equal(expected, string.Join(' ', NodeCapabilityNames.Of(NodeCapabilityNames.FromInfo(info))));
    }

    [Fact]
    public void A_slot_stats_reply_without_cpu_usec_means_the_load_metrics_are_off()
    {
        var enabled = SlotStatsParser.Parse(CapturedReplies.Load("slot-stats.resp"));
        var disabled = SlotStatsParser.Parse(CapturedReplies.Load("slot-stats-disabled.resp"));
        var valkey9 = NodeCapabilityNames.FromVersion(ServerProduct.Valkey, "9.1.2");

        Assert.True(NodeCapabilityNames.ReportsLoad(enabled));
        Assert.False(NodeCapabilityNames.ReportsLoad(disabled));
        Assert.Null(NodeCapabilityNames.ReportsLoad([]));
        Assert.Equal(valkey9 & ~NodeCapabilities.SlotStatsLoad, NodeCapabilityNames.Observed(valkey9, reportsLoad: false));
        Assert.Equal(valkey9, NodeCapabilityNames.Observed(valkey9, reportsLoad: true));
        Assert.Equal(valkey9, NodeCapabilityNames.Observed(valkey9, reportsLoad: null));
    }

    [Fact]
    public void A_server_without_slot_stats_never_gains_the_load_metrics_from_an_observation()
    {
        var redis7 = NodeCapabilityNames.FromVersion(ServerProduct.Redis, "7.0.15");

        Assert.Equal(redis7, NodeCapabilityNames.Observed(redis7, reportsLoad: true));
        Assert.False(NodeCapabilityNames.Observed(redis7, reportsLoad: true).HasFlag(NodeCapabilities.SlotStatsLoad));
    }

    [Theory]
    [InlineData(ServerProduct.Redis, "7.0.15", "Redis 7.0.15")]
    [InlineData(ServerProduct.Valkey, "9.1.2", "Valkey 9.1.2")]
    [InlineData(ServerProduct.Unknown, "1.2.3", "1.2.3")]
    [InlineData(ServerProduct.Unknown, null, "unknown server")]
    [InlineData(ServerProduct.Redis, null, "Redis")]
    public void A_server_is_named_by_product_and_version(ServerProduct product, string? version, string expected) =>
        Assert.Equal(expected, NodeCapabilityNames.DisplayName(product, version));
}
