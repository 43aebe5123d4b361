using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Hosting;

[Collection(SharedClusterCollection.Name)]
public class EmbeddedClusterFormationTests(SharedClusterFixture fixture)
{
    private EmbeddedCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Cluster_is_ok_with_all_slots_covered_by_three_primaries_each_with_a_replica()
    {
        foreach (var node in Cluster.Host.Nodes)
        {
            var info = InfoReply.Parse((string)(await Cluster.ExecuteAsync(node.Port, "CLUSTER", "INFO"))!);
            Assert.Equal("ok", info["cluster_state"]);
            Assert.Equal(16384, info.GetInt64("cluster_slots_ok"));
            Assert.Equal(6, info.GetInt64("cluster_known_nodes"));
        }

        var shards = ClusterShardsParser.Parse(await Cluster.ExecuteAsync(Cluster.Options.Embedded.BasePort, "CLUSTER", "SHARDS"));
        Assert.Equal(3, shards.Length);
        Assert.Equal(16384, shards.Sum(s => s.Slots.SlotCount));
        Assert.Equal(SlotRangeSet.Parse("0-16383"), shards.Aggregate(SlotRangeSet.Empty, (all, s) => all.Union(s.Slots)));
        Assert.All(shards, s =>
        {
            Assert.NotNull(s.Primary);
            Assert.Single(s.Nodes, n => n.Role == NodeRole.Replica && n.Health == NodeHealth.Online);
        });
    }

    [Fact]
    public async Task Slots_are_shared_evenly_in_contiguous_ranges()
    {
        var shards = ClusterShardsParser.Parse(await Cluster.ExecuteAsync(Cluster.Options.Embedded.BasePort, "CLUSTER", "SHARDS"));

        var sizes = shards.Select(s => s.Slots.SlotCount).Order().ToList();
        Assert.True(sizes[^1] - sizes[0] <= 1, $"uneven shares: {string.Join(", ", sizes)}");
        Assert.All(shards, s => Assert.Single(s.Slots.Ranges));
    }

    [Fact]
    public async Task Every_node_is_loopback_only_persistent_and_collects_slot_statistics()
    {
        foreach (var node in Cluster.Host.Nodes)
        {
            Assert.Equal("yes", await ConfigGetAsync(node.Port, "cluster-slot-stats-enabled"));
            Assert.Equal("yes", await ConfigGetAsync(node.Port, "appendonly"));
            Assert.Equal("127.0.0.1", await ConfigGetAsync(node.Port, "bind"));
            Assert.StartsWith(Cluster.DataDirectory, await ConfigGetAsync(node.Port, "dir"), StringComparison.Ordinal);
            Assert.True(File.Exists(node.LogPath), $"node log {node.LogPath} is missing");
        }
    }

    private async Task<string> ConfigGetAsync(int port, string name)
    {
        var reply = (string[])(await Cluster.ExecuteAsync(port, "CONFIG", "GET", name))!;
        return reply[1];
    }
}
