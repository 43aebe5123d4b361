using System.Net;
using System.Text.Json;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

/// <summary>An operator stops, starts and adds nodes of the embedded cluster; careless stops are refused; all of it is audited.</summary>
[Collection(NodesDashboardCollection.Name)]
public class NodesApiTests(NodesDashboardFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private HttpClient Api => fixture.Client;

    [Fact]
    public Task Stopping_a_replica_is_accepted_and_it_shows_failed() => fixture.RestoringAsync(async () =>
    {
        var replica = await ReplicaOfAsync((await Api.PrimariesAsync())[0].Id);

        using var stop = await Api.PostAsync(new Uri($"/api/nodes/{replica}/stop", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.NoContent, stop.StatusCode);
        await WaitForNodeAsync(replica, n => n.GetProperty("health").GetString() == "failed", "failed");
    });

    [Fact]
    public Task Stopping_a_primary_whose_replica_is_down_is_a_409_and_the_cluster_stays_ok() => fixture.RestoringAsync(async () =>
    {
        var primary = (await Api.PrimariesAsync())[0];
        var replica = await ReplicaOfAsync(primary.Id);
        await StopAsync(replica);
        await WaitForNodeAsync(replica, n => n.GetProperty("health").GetString() == "failed", "failed");

        await MigrationsApiTests.AssertProblemAsync(await Api.PostAsync(new Uri($"/api/nodes/{primary.Id}/stop", UriKind.Relative), null),
            HttpStatusCode.Conflict, "has no online replica to take over");

        Assert.Equal("ok", (await Api.GetJsonAsync("/api/cluster")).GetProperty("state").GetString());
        Assert.Equal("online", (await NodeAsync(primary.Id)).GetProperty("health").GetString());
    });

    [Fact]
    public Task Starting_a_stopped_replica_brings_it_back_online() => fixture.RestoringAsync(async () =>
    {
        var replica = await ReplicaOfAsync((await Api.PrimariesAsync())[1].Id);
        await StopAsync(replica);
        await WaitForNodeAsync(replica, n => n.GetProperty("health").GetString() == "failed", "failed");

        using var start = await Api.PostAsync(new Uri($"/api/nodes/{replica}/start", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.NoContent, start.StatusCode);
        await WaitForNodeAsync(replica, n => n.GetProperty("health").GetString() == "online", "online");
    });

    [Fact]
    public async Task Starting_a_running_node_is_a_409_problem_and_is_audited_as_refused()
    {
        var replica = await ReplicaOfAsync((await Api.PrimariesAsync())[1].Id);

        await MigrationsApiTests.AssertProblemAsync(await Api.PostAsync(new Uri($"/api/nodes/{replica}/start", UriKind.Relative), null),
            HttpStatusCode.Conflict, "already running");

        var entry = (await Api.GetJsonAsync("/api/audit?pageSize=200")).GetProperty("items").EnumerateArray().First(e => e.GetProperty("subject").GetString() == replica);
        Assert.Equal("node.start", entry.GetProperty("action").GetString());
        Assert.Equal("refused", entry.GetProperty("outcome").GetString());
        Assert.Contains("already running", entry.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adding_a_replica_puts_it_online_behind_its_primary()
    {
        var primary = (await Api.PrimariesAsync())[2];

        using var add = await Api.PostJsonAsync("/api/nodes", $$"""{"role": "replica", "primaryId": "{{primary.Id}}"}""");

        Assert.Equal(HttpStatusCode.OK, add.StatusCode);
        var endpoint = JsonDocument.Parse(await add.Content.ReadAsStringAsync()).RootElement.GetProperty("endpoint").GetString();
        await Wait.UntilAsync(
            async _ => (await NodesAsync()).Any(n => n.GetProperty("endpoint").GetString() == endpoint
                && n.GetProperty("role").GetString() == "replica" && n.GetProperty("primaryId").GetString() == primary.Id
                && n.GetProperty("health").GetString() == "online"),
            Deadline, $"the new replica {endpoint} to be online behind {primary.Endpoint}", TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Adding_a_primary_puts_an_empty_primary_into_the_cluster_which_stays_ok()
    {
        var before = await NodesAsync();

        using var add = await Api.PostJsonAsync("/api/nodes", """{"role": "primary"}""");

        Assert.Equal(HttpStatusCode.OK, add.StatusCode);
        var endpoint = JsonDocument.Parse(await add.Content.ReadAsStringAsync()).RootElement.GetProperty("endpoint").GetString();
        Assert.DoesNotContain(before, n => n.GetProperty("endpoint").GetString() == endpoint);
        JsonElement cluster = default;
        // Gossip about a newcomer may report fail for a moment; the cluster must settle at ok with the new primary in it.
        await Wait.UntilAsync(
            async _ => (cluster = await Api.GetJsonAsync("/api/cluster")).GetProperty("state").GetString() == "ok"
                && cluster.GetProperty("nodes").EnumerateArray().Any(n => n.GetProperty("endpoint").GetString() == endpoint && n.GetProperty("health").GetString() == "online"),
            Deadline, $"the new primary {endpoint} to be online in an ok cluster", TimeSpan.FromMilliseconds(100));
        var added = cluster.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("endpoint").GetString() == endpoint);
        Assert.Equal("primary", added.GetProperty("role").GetString());
        Assert.Equal(0, added.GetProperty("slots").GetArrayLength());
        Assert.Equal(16384, cluster.GetProperty("slotsAssigned").GetInt32());
    }

    [Fact]
    public async Task Stopping_a_primary_with_a_replica_is_accepted_and_the_replica_takes_over_serving_its_slots()
    {
        var primary = (await Api.PrimariesAsync())[1];
        var replica = await ReplicaOfAsync(primary.Id);
        var key = await KeyInAsync(primary.Slots);
        await using var valkey = await fixture.Factory.ConnectToClusterAsync();
        await valkey.GetDatabase().StringSetAsync(key, "kept");
        // The replica has the key before the primary goes (WAIT: acknowledged by one replica).
        await valkey.GetServer(primary.Endpoint).ExecuteAsync("WAIT", 1, 5_000);

        await TestCleanup.RunAsync(
            async () =>
            {
                using var stop = await Api.PostAsync(new Uri($"/api/nodes/{primary.Id}/stop", UriKind.Relative), null);

                Assert.Equal(HttpStatusCode.NoContent, stop.StatusCode);
                var promoted = await WaitForNodeAsync(replica, n => n.GetProperty("role").GetString() == "primary" && n.GetProperty("health").GetString() == "online", "the primary");
                Assert.Equal(primary.Slots, SlotsText(promoted));
                Assert.Equal("failed", (await NodeAsync(primary.Id)).GetProperty("health").GetString());
                Assert.Equal("ok", (await Api.GetJsonAsync("/api/cluster")).GetProperty("state").GetString());
                // The new primary answers for the slot itself (a node that does not serve it answers MOVED), with the key.
                await using var client = await fixture.Factory.ConnectToClusterAsync();
                Assert.Equal("kept", (string?)await client.GetServer(promoted.GetProperty("endpoint").GetString()!).ExecuteAsync("GET", key));
            },
            () => TestCleanup.RunAsync(
                () => FailBackAsync(primary.Id, replica),
                async () =>
                {
                    await using var client = await fixture.Factory.ConnectToClusterAsync();
                    await client.GetDatabase().KeyDeleteAsync(key);
                }));
    }

    [Theory]
    [InlineData("""{"role": "arbiter"}""", "role must be")]
    [InlineData("""{"role": "replica", "primaryId": "nope"}""", "primaryId must be")]
    public async Task Adding_a_node_that_cannot_exist_is_a_400_problem(string body, string detail)
    {
        await MigrationsApiTests.AssertProblemAsync(await Api.PostJsonAsync("/api/nodes", body), HttpStatusCode.BadRequest, detail);
    }

    [Fact]
    public async Task Stopping_an_unknown_node_is_a_404_problem()
    {
        await MigrationsApiTests.AssertProblemAsync(await Api.PostAsync(new Uri($"/api/nodes/{new string('0', 40)}/stop", UriKind.Relative), null), HttpStatusCode.NotFound, "there is no node");
    }

    /// <summary>
    /// Puts a stopped primary back in charge: starts it (it rejoins as its replica's replica), waits until it has caught
    /// up, then has it take over again with <c>CLUSTER FAILOVER</c>, so the next test finds the cluster as it was.
    /// </summary>
    private async Task FailBackAsync(string oldPrimary, string replica)
    {
        using (var start = await Api.PostAsync(new Uri($"/api/nodes/{oldPrimary}/start", UriKind.Relative), null))
        {
            Assert.True(start.IsSuccessStatusCode, $"starting {oldPrimary} again answered {start.StatusCode}");
        }

        var node = await WaitForNodeAsync(oldPrimary,
            n => n.GetProperty("health").GetString() == "online" && n.GetProperty("role").GetString() == "replica" && n.GetProperty("primaryId").GetString() == replica,
            "an online replica of its former replica");
        await using var valkey = await fixture.Factory.ConnectToClusterAsync();
        var server = valkey.GetServer(node.GetProperty("endpoint").GetString()!);
        await Wait.UntilAsync(
            async _ =>
            {
                var info = Cluster.Parsing.InfoReply.Parse((string)(await server.ExecuteAsync("INFO", "replication"))!);
                return info["master_link_status"] == "up" && info["master_sync_in_progress"] == "0";
            },
            Deadline, $"{oldPrimary} to be in sync with {replica}", TimeSpan.FromMilliseconds(100));

        await server.ExecuteAsync("CLUSTER", "FAILOVER");

        await WaitForNodeAsync(oldPrimary, n => n.GetProperty("role").GetString() == "primary" && n.GetProperty("health").GetString() == "online", "the primary again");
        await WaitForNodeAsync(replica, n => n.GetProperty("role").GetString() == "replica" && n.GetProperty("health").GetString() == "online", "a replica again");
    }

    private async Task<List<JsonElement>> NodesAsync() => [.. (await Api.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray()];

    private async Task<JsonElement> NodeAsync(string id) => (await NodesAsync()).Single(n => n.GetProperty("id").GetString() == id);

    private async Task<string> ReplicaOfAsync(string primaryId) =>
        (await NodesAsync()).First(n => n.GetProperty("primaryId").GetString() == primaryId && n.GetProperty("health").GetString() == "online").GetProperty("id").GetString()!;

    private async Task StopAsync(string id)
    {
        using var stop = await Api.PostAsync(new Uri($"/api/nodes/{id}/stop", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NoContent, stop.StatusCode);
    }

    private async Task<JsonElement> WaitForNodeAsync(string id, Func<JsonElement, bool> predicate, string what)
    {
        JsonElement node = default;
        await Wait.UntilAsync(async _ => predicate(node = await NodeAsync(id)), Deadline, $"node {id} to be {what}", TimeSpan.FromMilliseconds(100));
        return node;
    }

    private static string SlotsText(JsonElement node) =>
        string.Join(',', node.GetProperty("slots").EnumerateArray().Select(r => r[0].GetInt32() == r[1].GetInt32() ? $"{r[0]}" : $"{r[0]}-{r[1]}"));

    /// <summary>A key that hashes into <paramref name="slots"/>.</summary>
    private async Task<string> KeyInAsync(string slots)
    {
        var set = Cluster.Model.SlotRangeSet.Parse(slots);
        await using var valkey = await fixture.Factory.ConnectToClusterAsync();
        return Enumerable.Range(0, 1_000_000).Select(i => $"nodes-api:{i}").First(k => set.Contains(valkey.HashSlot(k)));
    }
}
