using StackExchange.Redis;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Hosting;

/// <summary>Start, restart, crash recovery and shutdown of the embedded cluster; each test owns its cluster.</summary>
[Collection(OwnClustersCollection.Name)]
public class LocalClusterHostLifecycleTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Keys_written_before_a_restart_are_there_after_it_and_nothing_is_left_running()
    {
        var options = EmbeddedCluster.CreateOptions();
        var keys = Enumerable.Range(0, 300).Select(i => (RedisKey)$"restart:{i}").ToArray();
        IReadOnlyList<int> firstPids;
        string[] firstIds;

        var cluster = await EmbeddedCluster.StartAsync(options);
        try
        {
            await WriteKeysAsync(cluster, keys);
            firstPids = cluster.Host.Nodes.Select(n => n.ProcessId!.Value).ToList();
            Assert.Equal(firstPids.Order(), ValkeyProcesses.Find(options.Embedded.DataDirectory).Order());
            firstIds = (await cluster.Monitor.PollOnceAsync()).Nodes.Select(n => n.Id).Order().ToArray();
        }
        finally
        {
            await cluster.DisposeAsync(deleteData: false);
        }

        Assert.All(firstPids, pid => Assert.False(ValkeyProcesses.IsRunning(pid), $"valkey-server pid {pid} still runs after the host was disposed"));
        Assert.Empty(ValkeyProcesses.Find(options.Embedded.DataDirectory));

        var restarted = await EmbeddedCluster.StartAsync(options);
        try
        {
            var snapshot = await restarted.Monitor.WaitForAsync(s => s.State == ClusterState.Ok, Deadline);
            Assert.Equal(firstIds, snapshot.Nodes.Select(n => n.Id).Order().ToArray());
            await AssertKeysAsync(restarted, keys);
        }
        finally
        {
            await restarted.DisposeAsync();
        }
    }

    [Fact]
    public async Task Nodes_left_running_by_a_crashed_run_are_adopted_untouched_and_stopped_with_the_new_run()
    {
        var options = EmbeddedCluster.CreateOptions();
        var crashed = await EmbeddedCluster.StartAsync(options);
        var keys = Enumerable.Range(0, 100).Select(i => (RedisKey)$"crash:{i}").ToArray();
        try
        {
            await WriteKeysAsync(crashed, keys);
            var leftovers = crashed.Host.Nodes.ToDictionary(n => n.Port, n => n.ProcessId!.Value);

            // A second host on the same folder, as after a dashboard that died without stopping its nodes.
            var next = await EmbeddedCluster.StartAsync(options);
            try
            {
                Assert.All(next.Host.Nodes, n =>
                {
                    Assert.True(n.IsAdopted, $"{n.Endpoint} was not adopted");
                    Assert.Equal(leftovers[n.Port], n.ProcessId);
                    Assert.Empty(n.Drift);
                });
                await next.Monitor.WaitForAsync(s => s.State == ClusterState.Ok, Deadline);
                await AssertKeysAsync(next, keys);

                // Adopted nodes are stopped and started like the ones a run started itself.
                var first = next.Host.Nodes[0];
                await next.Host.RestartNodeAsync(first.Port);
                Assert.False(first.IsAdopted);
                Assert.False(ValkeyProcesses.IsRunning(leftovers[first.Port]), $"adopted pid {leftovers[first.Port]} still runs after the node's restart");
                Assert.NotEqual(leftovers[first.Port], first.ProcessId);
            }
            finally
            {
                await next.DisposeAsync(deleteData: false);
            }

            Assert.All(leftovers.Values, pid => Assert.False(ValkeyProcesses.IsRunning(pid), $"adopted pid {pid} still runs after the host that adopted it stopped"));
            Assert.Empty(ValkeyProcesses.Find(options.Embedded.DataDirectory));
        }
        finally
        {
            await crashed.DisposeAsync();
        }
    }

    [Fact]
    public async Task Nodes_can_be_restarted_and_a_primary_and_a_replica_added()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.CreateOptions(primaries: 3, replicasPerPrimary: 0));
        var first = cluster.Host.Nodes[0];
        var pidBefore = first.ProcessId;

        await cluster.Host.RestartNodeAsync(first.Port);
        Assert.NotEqual(pidBefore, first.ProcessId);
        await cluster.Monitor.WaitForAsync(s => s.State == ClusterState.Ok && s.Nodes.All(n => n.Health == NodeHealth.Online), Deadline);

        var primary = await cluster.Host.AddPrimaryAsync();
        // The cluster may report fail for a moment while gossip about the newcomer settles; it must settle at ok.
        var withPrimary = await cluster.Monitor.WaitForAsync(s => s.State == ClusterState.Ok && s.Nodes.Any(n => n.Endpoint == primary.Endpoint && n.Health == NodeHealth.Online), Deadline);
        var added = withPrimary.Nodes.Single(n => n.Endpoint == primary.Endpoint);
        Assert.Equal(NodeRole.Primary, added.Role);
        Assert.True(added.Slots.IsEmpty);
        Assert.Equal(16384, withPrimary.SlotsAssigned);

        var replica = await cluster.Host.AddReplicaAsync(added.Id);
        var withReplica = await cluster.Monitor.WaitForAsync(s => s.Nodes.Any(n => n.Endpoint == replica.Endpoint && n.Health == NodeHealth.Online), Deadline);
        var addedReplica = withReplica.Nodes.Single(n => n.Endpoint == replica.Endpoint);
        Assert.Equal(NodeRole.Replica, addedReplica.Role);
        Assert.Equal(added.Id, addedReplica.PrimaryId);
        Assert.Equal(5, cluster.Host.Nodes.Length);
    }

    [Theory]
    [InlineData(2, "Valkey:Embedded:BasePort")]
    [InlineData(10000, "(the cluster bus of the Valkey node on port")]
    public async Task A_port_taken_by_another_process_gives_an_error_naming_the_port_and_starts_nothing(int offset, string explanation)
    {
        var options = EmbeddedCluster.CreateOptions();
        var taken = options.Embedded.BasePort + offset;
        using var squatter = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, taken);
        squatter.Start();
        try
        {
            var ex = await Assert.ThrowsAsync<ValkeyDashboard.Cluster.Hosting.PortInUseException>(() => EmbeddedCluster.StartAsync(options));

            Assert.Equal(taken, ex.Port);
            Assert.Contains($"Port {taken} on 127.0.0.1", ex.Message, StringComparison.Ordinal);
            Assert.Contains(explanation, ex.Message, StringComparison.Ordinal);
            Assert.Empty(ValkeyProcesses.Find(options.Embedded.DataDirectory));
        }
        finally
        {
            squatter.Stop();
            TestDirectories.Delete(options.Embedded.DataDirectory);
        }
    }

    private static async Task WriteKeysAsync(EmbeddedCluster cluster, RedisKey[] keys)
    {
        await using var client = await cluster.ConnectClientAsync();
        var db = client.GetDatabase();
        await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, $"value of {k}")));
    }

    private static async Task AssertKeysAsync(EmbeddedCluster cluster, RedisKey[] keys)
    {
        await using var client = await cluster.ConnectClientAsync();
        var db = client.GetDatabase();
        var values = await Task.WhenAll(keys.Select(k => db.StringGetAsync(k)));
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal($"value of {keys[i]}", (string?)values[i]);
        }

        // Replicas carry the data too: DBSIZE over the primaries equals the keys written.
        var total = 0L;
        foreach (var primary in ClusterShardsParser.Parse(await cluster.ExecuteAsync(cluster.Options.Embedded.BasePort, "CLUSTER", "SHARDS")).Select(s => s.Primary!))
        {
            total += (long)await cluster.Connection.ExecuteAsync(primary.Endpoint, "DBSIZE");
        }

        Assert.Equal(keys.Length, total);
    }
}
