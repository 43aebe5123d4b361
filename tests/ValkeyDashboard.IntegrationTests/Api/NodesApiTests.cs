using System.Net;
using System.Text.Json;
using ValkeyDashboard.IntegrationTests.Hosting;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

/// <summary>An operator stops, starts and adds nodes of the embedded cluster; careless stops are refused; all of it is audited.</summary>
[Collection(OwnClustersCollection.Name)]
public class NodesApiTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Nodes_stop_and_start_a_primary_without_a_replica_is_not_stopped_and_a_replica_can_be_added()
    {
        await using var factory = DashboardAppFactory.Embedded();
        using var api = factory.CreateClient();
        var primary = (await api.PrimariesAsync())[0];
        var replica = (await NodesAsync(api)).Single(n => n.GetProperty("primaryId").GetString() == primary.Id).GetProperty("id").GetString()!;

        using (var stop = await api.PostAsync(new Uri($"/api/nodes/{replica}/stop", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.NoContent, stop.StatusCode);
        }

        await WaitForHealthAsync(api, replica, "failed");

        // Its primary now has no replica that could take over: stopping it would leave its slots unserved.
        await MigrationsApiTests.AssertProblemAsync(await api.PostAsync(new Uri($"/api/nodes/{primary.Id}/stop", UriKind.Relative), null),
            HttpStatusCode.Conflict, "has no online replica to take over");
        Assert.Equal("ok", (await api.GetJsonAsync("/api/cluster")).GetProperty("state").GetString());

        using (var start = await api.PostAsync(new Uri($"/api/nodes/{replica}/start", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.NoContent, start.StatusCode);
        }

        await WaitForHealthAsync(api, replica, "online");
        await MigrationsApiTests.AssertProblemAsync(await api.PostAsync(new Uri($"/api/nodes/{replica}/start", UriKind.Relative), null),
            HttpStatusCode.Conflict, "already running");

        using (var add = await api.PostJsonAsync("/api/nodes", $$"""{"role": "replica", "primaryId": "{{primary.Id}}"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, add.StatusCode);
            var endpoint = JsonDocument.Parse(await add.Content.ReadAsStringAsync()).RootElement.GetProperty("endpoint").GetString();
            await Cluster.Concurrency.Wait.UntilAsync(
                async _ => (await NodesAsync(api)).Any(n => n.GetProperty("endpoint").GetString() == endpoint
                    && n.GetProperty("primaryId").GetString() == primary.Id && n.GetProperty("health").GetString() == "online"),
                Deadline, $"the new replica {endpoint} to be online", TimeSpan.FromMilliseconds(100));
        }

        await MigrationsApiTests.AssertProblemAsync(await api.PostAsync(new Uri($"/api/nodes/{new string('0', 40)}/stop", UriKind.Relative), null), HttpStatusCode.NotFound, "there is no node");
        await MigrationsApiTests.AssertProblemAsync(await api.PostJsonAsync("/api/nodes", """{"role": "arbiter"}"""), HttpStatusCode.BadRequest, "role must be");
        await MigrationsApiTests.AssertProblemAsync(await api.PostJsonAsync("/api/nodes", """{"role": "replica", "primaryId": "nope"}"""), HttpStatusCode.BadRequest, "primaryId must be");

        var audit = (await api.GetJsonAsync("/api/audit?pageSize=20")).GetProperty("items").EnumerateArray()
            .Select(e => $"{e.GetProperty("action").GetString()} {e.GetProperty("outcome").GetString()}").Reverse().ToList();
        Assert.Equal(
            ["node.stop accepted", "node.stop refused", "node.start accepted", "node.start refused", "node.add accepted", "node.stop refused", "node.add refused", "node.add refused"],
            audit);
    }

    private static async Task<List<JsonElement>> NodesAsync(HttpClient api) =>
        [.. (await api.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray()];

    private static Task WaitForHealthAsync(HttpClient api, string id, string health) =>
        Cluster.Concurrency.Wait.UntilAsync(
            async _ => (await NodesAsync(api)).Single(n => n.GetProperty("id").GetString() == id).GetProperty("health").GetString() == health,
            Deadline, $"node {id} to be {health}", TimeSpan.FromMilliseconds(100));
}
