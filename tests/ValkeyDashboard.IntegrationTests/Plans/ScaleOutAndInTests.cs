using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Plans;

/// <summary>
/// Scale out and in of the embedded cluster under a client load that reads back every write: a new empty primary
/// gets its share by a rebalance, is drained again and removed; no client command fails, nothing is lost.
/// </summary>
[Collection(PlansCollection.Name)]
public class ScaleOutAndInTests(PlansFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_new_primary_gets_its_share_is_drained_and_removed_while_clients_see_no_error()
    {
        var keys = await fixture.WriteKeysAsync("scale", Cluster.Model.SlotRangeSet.Parse("0-16383"), 12_000);
        var keysBefore = await fixture.TotalKeysAsync();
        await using var client = await fixture.Factory.ConnectToClusterAsync();

        // Scale out under load: an empty primary, then a rebalance by keys onto it.
        string endpoint;
        using (var load = new ClientLoad(client.GetDatabase(), [.. keys.Take(2_000)], writers: 4))
        {
            await load.WaitForOperationsAsync(2_000, Deadline);
            using (var added = await Client.PostJsonAsync("/api/nodes", """{"role": "primary"}"""))
            {
                Assert.Equal(HttpStatusCode.OK, added.StatusCode);
                endpoint = JsonDocument.Parse(await added.Content.ReadAsStringAsync()).RootElement.GetProperty("endpoint").GetString()!;
            }

            var newcomerId = (await Client.PrimariesAsync()).Single(p => p.Endpoint == endpoint).Id;
            var rebalance = await RunPlanAsync("""{"kind": "rebalance", "metric": "keys", "threshold": 0.05}""");
            Assert.All(rebalance.GetProperty("moves").EnumerateArray(), m => Assert.Equal(newcomerId, m.GetProperty("targetNodeId").GetString()));
            await load.WaitForOperationsAsync(load.Operations + 2_000, Deadline);
            await load.StopAsync();
            AssertNothingFailedOrLost(load);
        }

        var primaries = await Client.PrimariesAsync();
        var newcomer = primaries.Single(p => p.Endpoint == endpoint);
        var share = (long)await fixture.Valkey.GetServer(endpoint).ExecuteAsync("DBSIZE");
        Assert.InRange(share, keysBefore / primaries.Count * 0.9, keysBefore / primaries.Count * 1.1);

        // Scale in under load: drain it, then remove it. (Each slot moves once per operation; a client library that
        // follows one MOVED per command, as StackExchange.Redis does, needs its map to be no more than one move old.)
        await client.ConfigureAsync();
        using (var load = new ClientLoad(client.GetDatabase(), [.. keys.Take(2_000)], writers: 4))
        {
            await load.WaitForOperationsAsync(2_000, Deadline);
            await RunPlanAsync($$"""{"kind": "drain", "metric": "keys", "nodeIds": ["{{newcomer.Id}}"]}""");
            // It owns nothing now (Valkey makes a primary that lost its last slot a replica of the node that took it).
            var drained = (await Client.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("id").GetString() == newcomer.Id);
            Assert.True(drained.GetProperty("role").GetString() == "replica" || drained.GetProperty("slots").GetArrayLength() == 0, drained.GetRawText());
            await load.WaitForOperationsAsync(load.Operations + 2_000, Deadline);
            using (var removed = await Client.DeleteAsync(new Uri($"/api/nodes/{newcomer.Id}", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
            }

            await load.WaitForOperationsAsync(load.Operations + 2_000, Deadline);
            await load.StopAsync();
            AssertNothingFailedOrLost(load);
        }

        var cluster = await Client.GetJsonAsync("/api/cluster");
        Assert.DoesNotContain(cluster.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("id").GetString() == newcomer.Id);
        var host = fixture.Factory.Services.GetRequiredService<LocalClusterHost>();
        Assert.DoesNotContain(host.Nodes, n => n.Endpoint == endpoint);
        Assert.Empty(ValkeyProcesses.Find($"node-{endpoint.Split(':')[1]}"));
        Assert.False(Directory.Exists(Path.Combine(host.DataDirectory, $"node-{endpoint.Split(':')[1]}")));
        Assert.Equal(keysBefore, await fixture.TotalKeysAsync());
        var audit = (await Client.GetJsonAsync("/api/audit?pageSize=50")).GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(audit, e => e.GetProperty("action").GetString() == "node.remove" && e.GetProperty("outcome").GetString() == "accepted" &&
            e.GetProperty("detail").GetString()!.StartsWith($"removed {endpoint}", StringComparison.Ordinal));

        void AssertNothingFailedOrLost(ClientLoad load)
        {
            Assert.Empty(load.Failures);
            Assert.Equal(0, load.StaleReads);
            var db = fixture.Valkey.GetDatabase();
            foreach (var (key, value) in load.LastWritten)
            {
                Assert.Equal(value, (long)db.StringGet(key));
            }
        }
    }

    [Fact]
    public async Task Removing_a_primary_that_owns_slots_is_refused_with_drain_it_first()
    {
        var primary = (await Client.PrimariesAsync()).First(p => p.Slots.Length > 0);

        using var refused = await Client.DeleteAsync(new Uri($"/api/nodes/{primary.Id}", UriKind.Relative));

        await Api.MigrationsApiTests.AssertProblemAsync(refused, HttpStatusCode.Conflict, "drain it first");
        Assert.Contains(await Client.PrimariesAsync(), p => p.Id == primary.Id && p.Slots == primary.Slots);
    }

    private async Task<JsonElement> RunPlanAsync(string body)
    {
        using var started = await Client.PostJsonAsync("/api/plans", body);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        var done = await Client.GetJsonAsync($"/api/plans/{id}?wait=90");
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        return done;
    }
}
