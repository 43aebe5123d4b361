using StackExchange.Redis;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Monitoring;

[Collection(SharedClusterCollection.Name)]
public class ClusterMonitorTests(SharedClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private EmbeddedCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Snapshot_shows_every_node_with_role_health_version_slots_and_memory()
    {
        var snapshot = await Cluster.Monitor.WaitForAsync(s => s.State == ClusterState.Ok && s.Nodes.All(n => n.Health == NodeHealth.Online), Deadline);

        Assert.Equal(16384, snapshot.SlotsAssigned);
        Assert.Equal(3, snapshot.Primaries.Count());
        Assert.Equal(6, snapshot.Nodes.Length);
        Assert.All(snapshot.Nodes, n =>
        {
            Assert.Matches("^[0-9a-f]{40}$", n.Id);
            Assert.StartsWith("9.", n.Version, StringComparison.Ordinal);
            Assert.True(n.UsedMemoryBytes > 0);
            Assert.NotNull(n.Keys);
            Assert.Contains(Cluster.Host.Nodes, local => local.Endpoint == n.Endpoint);
        });
        Assert.All(snapshot.Nodes.Where(n => n.Role == NodeRole.Replica), r => Assert.Equal(snapshot.FindNode(r.PrimaryId!)!.Slots, r.Slots));
        Assert.DoesNotContain(null, snapshot.SlotOwners);
        Assert.NotNull(snapshot.SlotStatistics.CpuUsec);
        Assert.NotNull(snapshot.SlotStatistics.NetworkBytesIn);
        Assert.NotNull(snapshot.SlotStatistics.NetworkBytesOut);
    }

    [Fact]
    public async Task Keys_written_by_a_client_appear_per_node_and_per_slot()
    {
        await using var client = await Cluster.ConnectClientAsync();
        var db = client.GetDatabase();
        var keys = Enumerable.Range(0, 500).Select(i => (RedisKey)$"monitor-test:{i}").ToArray();
        var before = Cluster.Monitor.Current;
        var slots = keys.Select(k => client.HashSlot(k)).ToList();
        try
        {
            await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, "value")));

            var after = await Cluster.Monitor.WaitForAsync(
                s => s.Version > before.Version && s.Primaries.Sum(p => p.Keys ?? 0) >= before.Primaries.Sum(p => p.Keys ?? 0) + keys.Length,
                Deadline);

            foreach (var group in slots.GroupBy(s => s))
            {
                Assert.True(after.SlotStatistics.KeyCount[group.Key] >= group.Count(), $"slot {group.Key} shows {after.SlotStatistics.KeyCount[group.Key]} keys, expected at least {group.Count()}");
            }

            Assert.True(after.SlotStatistics.NetworkBytesIn!.Sum() > 0);
        }
        finally
        {
            await Task.WhenAll(keys.Select(k => db.KeyDeleteAsync(k)));
        }
    }

    [Fact]
    public async Task Subscribers_get_the_current_snapshot_first_and_then_newer_ones()
    {
        using var cts = new CancellationTokenSource(Deadline);
        var current = Cluster.Monitor.Current;
        var received = new List<ClusterSnapshot>();

        await foreach (var snapshot in Cluster.Monitor.WatchAsync(cts.Token))
        {
            received.Add(snapshot);
            if (received.Count == 3)
            {
                break;
            }
        }

        Assert.True(received[0].Version >= current.Version);
        Assert.True(received[1].Version > received[0].Version);
        Assert.True(received[2].Version > received[1].Version);
    }

    [Fact]
    public async Task A_stopped_node_shows_failed_while_the_others_keep_updating_and_comes_back_online()
    {
        var replica = Cluster.Monitor.Current.Nodes.First(n => n.Role == NodeRole.Replica);
        var port = int.Parse(replica.Endpoint.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            await Cluster.Host.StopNodeAsync(port);

            var down = await Cluster.Monitor.WaitForAsync(s => s.FindNode(replica.Id)?.Health == NodeHealth.Failed, Deadline);
            Assert.NotNull(down.FindNode(replica.Id)!.Error);
            Assert.All(down.Nodes.Where(n => n.Id != replica.Id), n => Assert.NotNull(n.Version));
            var later = await Cluster.Monitor.WaitForAsync(s => s.Version > down.Version, Deadline);
            Assert.True(later.Timestamp > down.Timestamp);
            Assert.Equal(NodeHealth.Failed, later.FindNode(replica.Id)!.Health);
        }
        finally
        {
            await Cluster.Host.StartNodeAsync(port);
        }

        var up = await Cluster.Monitor.WaitForAsync(s => s.FindNode(replica.Id)?.Health == NodeHealth.Online && s.State == ClusterState.Ok, Deadline);
        Assert.Null(up.FindNode(replica.Id)!.Error);
    }
}
