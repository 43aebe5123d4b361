using System.Net;
using System.Text.Json;
using StackExchange.Redis;
using ValkeyDashboard.IntegrationTests.Hosting;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Plans;

/// <summary>
/// Scale out and in of a cluster the dashboard did not make (formed by valkey-cli, External mode): a running empty node
/// joins by its endpoint, takes its share by a rebalance, is drained and removed (reset, so it cannot rejoin); a node
/// that holds keys or belongs to another cluster is refused.
/// </summary>
[Collection(OwnClustersCollection.Name)]
public class ExternalScaleTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_node_joins_by_endpoint_takes_its_share_is_drained_and_removed_and_every_key_stays()
    {
        await using var cluster = await CliCluster.StartAsync(primaries: 3, replicasPerPrimary: 0, spares: 3);
        await using var factory = DashboardAppFactory.External(cluster.Endpoints);
        using var client = factory.CreateClient();
        await using var valkey = await ConnectionMultiplexer.ConnectAsync(string.Join(',', cluster.Endpoints));
        var db = valkey.GetDatabase();
        await Task.WhenAll(Enumerable.Range(0, 9_000).Select(i => db.StringSetAsync($"ext:{i}", "v")));
        var spare = cluster.SpareEndpoints[0];

        // Refused: a node with keys, a node of another cluster, a node that is not there.
        // A node with a key of its own (written past cluster routing, as data restored onto a wrong node would be).
        await cluster.CliAsync("-p", cluster.SparePorts[1].ToString(System.Globalization.CultureInfo.InvariantCulture), "DEBUG", "POPULATE", "1", "stray");
        await Api.MigrationsApiTests.AssertProblemAsync(
            await client.PostJsonAsync("/api/nodes", $$"""{"endpoint": "{{cluster.SpareEndpoints[1]}}", "role": "primary"}"""), HttpStatusCode.Conflict, "holds 1 keys");
        await cluster.CliAsync("-p", cluster.SparePorts[2].ToString(System.Globalization.CultureInfo.InvariantCulture), "CLUSTER", "MEET", "127.0.0.1", cluster.SparePorts[1].ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ => (await cluster.CliAsync("-p", cluster.SparePorts[2].ToString(System.Globalization.CultureInfo.InvariantCulture), "CLUSTER", "INFO")).Contains("cluster_known_nodes:2", StringComparison.Ordinal),
            Deadline, "the two spare nodes to form a cluster of their own", retryOn: ex => ex is InvalidOperationException);
        await Api.MigrationsApiTests.AssertProblemAsync(
            await client.PostJsonAsync("/api/nodes", $$"""{"endpoint": "{{cluster.SpareEndpoints[2]}}", "role": "primary"}"""), HttpStatusCode.Conflict, "already belongs to a cluster");
        var closed = $"127.0.0.1:{TestPorts.AllocateBlock(1)}";
        await Api.MigrationsApiTests.AssertProblemAsync(
            await client.PostJsonAsync("/api/nodes", $$"""{"endpoint": "{{closed}}", "role": "primary"}"""), HttpStatusCode.Conflict, "is not reachable");
        Assert.Equal(3, (await client.PrimariesAsync()).Count);

        // Scale out.
        using (var joined = await client.PostJsonAsync("/api/nodes", $$"""{"endpoint": "{{spare}}", "role": "primary"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, joined.StatusCode);
        }

        var newcomer = (await client.PrimariesAsync()).Single(p => p.Endpoint == spare);
        var rebalance = await RunPlanAsync(client, """{"kind": "rebalance", "metric": "keys", "threshold": 0.05}""");
        Assert.All(rebalance.GetProperty("moves").EnumerateArray(), m => Assert.Equal(newcomer.Id, m.GetProperty("targetNodeId").GetString()));
        var share = long.Parse((await cluster.CliAsync("-p", cluster.SparePorts[0].ToString(System.Globalization.CultureInfo.InvariantCulture), "DBSIZE")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(share, 9_000 / 4 * 0.9, 9_000 / 4 * 1.1);

        // Scale in.
        await RunPlanAsync(client, $$"""{"kind": "drain", "metric": "keys", "nodeIds": ["{{newcomer.Id}}"]}""");
        using (var removed = await client.DeleteAsync(new Uri($"/api/nodes/{newcomer.Id}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        var nodes = (await client.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(3, nodes.Count);
        Assert.DoesNotContain(nodes, n => n.GetProperty("endpoint").GetString() == spare);
        // Reset: the removed node knows no cluster and took a new id, so gossip cannot bring it back.
        var info = await cluster.CliAsync("-p", cluster.SparePorts[0].ToString(System.Globalization.CultureInfo.InvariantCulture), "CLUSTER", "INFO");
        Assert.Contains("cluster_known_nodes:1\r", info, StringComparison.Ordinal);
        foreach (var member in cluster.MemberPorts)
        {
            var known = await cluster.CliAsync("-p", member.ToString(System.Globalization.CultureInfo.InvariantCulture), "CLUSTER", "INFO");
            Assert.Contains("cluster_known_nodes:3\r", known, StringComparison.Ordinal);
        }

        long total = 0;
        foreach (var primary in await client.PrimariesAsync())
        {
            total += (long)await valkey.GetServer(primary.Endpoint).ExecuteAsync("DBSIZE");
        }

        Assert.Equal(9_000, total);
    }

    private static async Task<JsonElement> RunPlanAsync(HttpClient client, string body)
    {
        using var started = await client.PostJsonAsync("/api/plans", body);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        var done = await client.GetJsonAsync($"/api/plans/{id}?wait=90");
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        return done;
    }
}
