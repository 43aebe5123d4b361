using System.Net;
using System.Text.Json;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

/// <summary>The whole dashboard (with its embedded cluster) restarts while a migration runs.</summary>
[Collection(OwnClustersCollection.Name)]
public class DashboardRestartTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_migration_interrupted_by_a_dashboard_restart_is_still_listed_and_ends_in_its_true_state()
    {
        string id, source, slots;
        long keysBefore;
        var first = DashboardAppFactory.Embedded();
        first.KeepData = true;
        try
        {
            using var client = first.CreateClient();
            var primaries = await client.PrimariesAsync();
            var start = MigrationsApiTests.LargestRangeStart(primaries[0].Slots);
            slots = $"{start}-{start + 29}";
            source = primaries[0].Id;
            await using (var valkey = await first.ConnectToClusterAsync())
            {
                var db = valkey.GetDatabase();
                var set = Cluster.Model.SlotRangeSet.Parse(slots);
                var keys = Enumerable.Range(0, 500_000).Select(i => $"restart:{i}").Where(k => set.Contains(valkey.HashSlot(k))).Take(600).ToList();
                await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, "v")));
                keysBefore = keys.Count;

                // Held before its final pause, so the restart catches it running.
                await valkey.GetServer(primaries[0].Endpoint).ExecuteAsync("DEBUG", "SLOTMIGRATION", "PREVENT-PAUSE", 1);
            }

            using var response = await client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slots}}", "targetNodeId": "{{primaries[1].Id}}"}""");
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            await client.WaitForMigrationAsync(id, m => m.GetProperty("jobs")[0].GetProperty("valkeyState").GetString() == "waiting-to-pause", Deadline);
        }
        finally
        {
            // Stopping the dashboard stops its nodes too: Valkey's in-memory job log is gone with them.
            await first.DisposeAsync();
        }

        await using var second = DashboardAppFactory.Embedded(first.DataDirectory, first.BasePort);
        using var restarted = second.CreateClient();

        var listed = await restarted.GetJsonAsync($"/api/migrations/{id}");
        Assert.Equal(slots, listed.GetProperty("slots").GetString());
        var done = await restarted.WaitForMigrationAsync(id, m => m.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled", Deadline);

        // Valkey 9.1 records the interrupted export as failed ("Process restarted"); an older log that lost the job
        // altogether is decided from slot ownership. Either way the migration failed and says why.
        Assert.Equal("failed", done.GetProperty("state").GetString());
        var job = done.GetProperty("jobs")[0];
        Assert.False(string.IsNullOrWhiteSpace(job.GetProperty("message").GetString()), done.GetRawText());
        Assert.Contains(job.GetProperty("message").GetString()!, done.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(keysBefore, done.GetProperty("estimate").GetProperty("keys").GetInt64());
        var owner = (await restarted.PrimariesAsync()).Single(p => p.Id == source);
        Assert.True(Cluster.Model.SlotRangeSet.Parse(slots).Except(Cluster.Model.SlotRangeSet.Parse(owner.Slots)).IsEmpty, $"{source} owns {owner.Slots}, not all of {slots}");
        await using var check = await second.ConnectToClusterAsync();
        var total = 0L;
        foreach (var slot in Cluster.Model.SlotRangeSet.Parse(slots).Slots())
        {
            total += (long)await check.GetServer((await restarted.PrimariesAsync()).Single(p => p.Id == source).Endpoint).ExecuteAsync("CLUSTER", "COUNTKEYSINSLOT", slot);
        }

        Assert.Equal(keysBefore, total);
    }
}
