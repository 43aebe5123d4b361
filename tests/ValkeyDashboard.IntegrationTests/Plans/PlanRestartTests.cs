using System.Net;
using System.Text.Json;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Hosting;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Plans;

/// <summary>
/// The dashboard restarts while a plan runs (the cluster keeps running: External mode): the plan comes back paused
/// and says why, its running move ends as Valkey ends it, and on resume the rest runs; no move is started twice.
/// </summary>
[Collection(OwnClustersCollection.Name)]
public class PlanRestartTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_plan_running_when_the_dashboard_stops_comes_back_paused_and_finishes_once_resumed_without_running_a_move_twice()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.CreateOptions(primaries: 3, replicasPerPrimary: 0));
        await using var valkey = await cluster.ConnectClientAsync();
        var endpoints = cluster.Host.Nodes.Select(n => n.Endpoint).ToList();
        var first = DashboardAppFactory.External(endpoints);
        first.KeepData = true;
        string id, drainedEndpoint;
        long keysBefore;
        try
        {
            using var client = first.CreateClient();
            var drained = (await client.PrimariesAsync())[0];
            drainedEndpoint = drained.Endpoint;
            var db = valkey.GetDatabase();
            var slots = SlotRangeSet.Parse(drained.Slots);
            var keys = Enumerable.Range(0, 200_000).Select(i => $"restart-plan:{i}").Where(k => slots.Contains(valkey.HashSlot(k))).Take(3_000).ToList();
            await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, "v")));
            keysBefore = keys.Count;

            // The first move is held before its hand-over, so the dashboard stops while it runs.
            await valkey.GetServer(drained.Endpoint).ExecuteAsync("DEBUG", "SLOTMIGRATION", "PREVENT-PAUSE", 1);
            using var started = await client.PostJsonAsync("/api/plans", $$"""{"kind": "drain", "metric": "keys", "nodeIds": ["{{drained.Id}}"]}""");
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            id = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            await Cluster.Concurrency.Wait.UntilAsync(
                async _ => (await client.GetJsonAsync($"/api/plans/{id}")).GetProperty("moves")[0].GetProperty("state").GetString() == "running",
                Deadline, "the first move to run");
        }
        finally
        {
            await first.DisposeAsync();
        }

        await valkey.GetServer(drainedEndpoint).ExecuteAsync("DEBUG", "SLOTMIGRATION", "PREVENT-PAUSE", 0);
        await using var second = DashboardAppFactory.External(endpoints, first.DataDirectory);
        using var restarted = second.CreateClient();

        var paused = await restarted.GetJsonAsync($"/api/plans/{id}");
        Assert.Equal("paused", paused.GetProperty("state").GetString());
        Assert.Contains("the dashboard restarted while this plan ran", paused.GetProperty("error").GetString(), StringComparison.Ordinal);
        // The running move's migration is followed to its end while the plan stays paused; the next one waits.
        JsonElement plan = default;
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ => (plan = await restarted.GetJsonAsync($"/api/plans/{id}")).GetProperty("moves")[0].GetProperty("state").GetString() == "succeeded",
            Deadline, "the first move to succeed");
        Assert.Equal("pending", plan.GetProperty("moves")[1].GetProperty("state").GetString());

        using (var resume = await restarted.PostAsync(new Uri($"/api/plans/{id}/resume", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        }

        var done = await restarted.GetJsonAsync($"/api/plans/{id}?wait=90");
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        var migrations = (await restarted.GetJsonAsync("/api/migrations?pageSize=200")).GetProperty("items").EnumerateArray().Where(m => m.GetProperty("planId").GetString() == id).ToList();
        Assert.Equal(2, migrations.Count);
        Assert.Equal(
            done.GetProperty("moves").EnumerateArray().Select(m => m.GetProperty("migrationId").GetString()).Order(),
            migrations.Select(m => m.GetProperty("id").GetString()).Order());
        // Σ DBSIZE over the primaries (the drained node is a replica now: Valkey makes a primary that lost its last slot one).
        long total = 0;
        foreach (var primary in await restarted.PrimariesAsync())
        {
            total += (long)await valkey.GetServer(primary.Endpoint).ExecuteAsync("DBSIZE");
        }

        Assert.Equal(keysBefore, total);
    }
}
