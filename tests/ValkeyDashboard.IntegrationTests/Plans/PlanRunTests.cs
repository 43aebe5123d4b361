using System.Net;
using System.Text.Json;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Plans;

/// <summary>Plans run against a real cluster: balanced by what the slots hold, every move a migration, no key lost.</summary>
[Collection(PlansCollection.Name)]
public class PlanRunTests(PlansFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_keys_rebalance_of_a_skewed_cluster_ends_within_the_threshold_and_keeps_every_key()
    {
        // Even slot counts, but one primary's first 300 slots hold 12,000 keys.
        var primaries = await Client.PrimariesAsync();
        var heavy = SlotRangeSet.Parse(primaries[0].Slots);
        var hot = SlotRangeSet.FromSlots(heavy.Slots().Take(300));
        await fixture.WriteKeysAsync("skew", hot, 12_000);
        var keysBefore = await fixture.TotalKeysAsync();

        var preview = await (await Client.PostJsonAsync("/api/plans/preview", """{"kind": "rebalance", "metric": "keys", "threshold": 0.05}""")).Content.ReadFromJsonAsync();
        // Other tests of the collection leave keys of their own, so the skew is at least, not exactly, what this test made.
        Assert.True(preview.GetProperty("imbalanceBefore").GetDouble() > 1.3, preview.GetRawText());
        Assert.InRange(preview.GetProperty("imbalanceAfter").GetDouble(), 1.0, 1.05);
        Assert.All(preview.GetProperty("moves").EnumerateArray(), m => Assert.Equal(primaries[0].Id, m.GetProperty("sourceNodeId").GetString()));

        using var started = await Client.PostJsonAsync("/api/plans", """{"kind": "rebalance", "metric": "keys", "threshold": 0.05}""", idempotencyKey: "skew-rebalance");
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync()).GetProperty("id").GetString()!;
        Assert.Equal($"/api/plans/{id}", started.Headers.Location!.OriginalString);
        var done = await Client.GetJsonAsync($"/api/plans/{id}?wait=90");

        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        Assert.Equal(1.0, done.GetProperty("progress").GetDouble());
        Assert.Equal(keysBefore, await fixture.TotalKeysAsync());
        var perPrimary = await KeysPerPrimaryAsync();
        var mean = perPrimary.Values.Average();
        Assert.All(perPrimary, p => Assert.InRange(p.Value, mean * 0.94, mean * 1.06));

        // Every move is a migration of the history, linked to the plan; a retry with the same key starts nothing.
        foreach (var move in done.GetProperty("moves").EnumerateArray())
        {
            Assert.Equal("succeeded", move.GetProperty("state").GetString());
            var migration = await Client.GetJsonAsync($"/api/migrations/{move.GetProperty("migrationId").GetString()}");
            Assert.Equal(id, migration.GetProperty("planId").GetString());
            Assert.Equal(move.GetProperty("slots").GetString(), migration.GetProperty("slots").GetString());
        }

        using var retry = await Client.PostJsonAsync("/api/plans", """{"kind": "rebalance", "metric": "keys", "threshold": 0.05}""", idempotencyKey: "skew-rebalance");
        Assert.Equal(id, (await retry.Content.ReadFromJsonAsync()).GetProperty("id").GetString());
        var audit = await Client.GetJsonAsync("/api/audit?pageSize=20");
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "plan.start" && e.GetProperty("detail").GetString()!.StartsWith($"plan {id}:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_plan_asking_for_the_key_by_key_engine_moves_every_slot_key_by_key_and_keeps_every_key()
    {
        var primaries = await Client.PrimariesAsync();
        await fixture.WriteKeysAsync("keys-engine", SlotRangeSet.FromSlots(SlotRangeSet.Parse(primaries[1].Slots).Slots().Take(60)), 9_000);
        var keysBefore = await fixture.TotalKeysAsync();

        using var started = await Client.PostJsonAsync("/api/plans", """{"kind": "rebalance", "metric": "keys", "threshold": 0.05, "engine": "keys"}""");
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync()).GetProperty("id").GetString()!;
        var done = await Client.GetJsonAsync($"/api/plans/{id}?wait=90");

        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        Assert.Equal("keys", done.GetProperty("engine").GetString());
        Assert.NotEmpty(done.GetProperty("moves").EnumerateArray());
        foreach (var move in done.GetProperty("moves").EnumerateArray())
        {
            var migration = await Client.GetJsonAsync($"/api/migrations/{move.GetProperty("migrationId").GetString()}");
            Assert.Equal("keys", migration.GetProperty("engine").GetString());
            Assert.Equal(move.GetProperty("slots").GetString(), Assert.Single(migration.GetProperty("jobs").EnumerateArray()).GetProperty("slotsMoved").GetString());
        }

        Assert.Equal(keysBefore, await fixture.TotalKeysAsync());
    }

    [Fact]
    public async Task A_plan_with_an_unknown_engine_is_a_400_problem()
    {
        using var response = await Client.PostJsonAsync("/api/plans", """{"kind": "rebalance", "engine": "turbo"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("engine must be \"auto\", \"atomic\" or \"keys\", got \"turbo\"", (await response.Content.ReadFromJsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_drain_paused_mid_way_starts_no_move_until_resumed_and_then_empties_the_primary()
    {
        var primaries = await Client.PrimariesAsync();
        var drained = primaries.OrderByDescending(p => SlotRangeSet.Parse(p.Slots).SlotCount).First();
        await fixture.WriteKeysAsync("drain", SlotRangeSet.Parse(drained.Slots), 3_000);
        var keysBefore = await fixture.TotalKeysAsync();

        string id;
        await using (var hold = await MigrationHold.OnAsync(fixture.Valkey.GetServer(drained.Endpoint)))
        {
            using var started = await Client.PostJsonAsync("/api/plans", $$"""{"kind": "drain", "metric": "keys", "nodeIds": ["{{drained.Id}}"]}""");
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            var plan = await started.Content.ReadFromJsonAsync();
            id = plan.GetProperty("id").GetString()!;
            // One source, two targets: the moves run one after the other (Valkey cancels per source).
            Assert.Equal(2, plan.GetProperty("moves").GetArrayLength());
            await fixture.WaitForPlanAsync(id, p => p.GetProperty("moves")[0].GetProperty("state").GetString() == "running", Deadline);

            var paused = await (await Client.PostAsync(new Uri($"/api/plans/{id}/pause", UriKind.Relative), null)).Content.ReadFromJsonAsync();
            Assert.Equal("paused", paused.GetProperty("state").GetString());
            await hold.ReleaseAsync();
        }

        var firstDone = await fixture.WaitForPlanAsync(id, p => p.GetProperty("moves")[0].GetProperty("state").GetString() == "succeeded", Deadline);
        Assert.Equal("paused", firstDone.GetProperty("state").GetString());
        // The runner looks every 200 ms: through several of its rounds the second move stays where it is.
        for (var round = 0; round < 5; round++)
        {
            var plan = await Client.GetJsonAsync($"/api/plans/{id}");
            Assert.Equal("pending", plan.GetProperty("moves")[1].GetProperty("state").GetString());
            await Task.Delay(200);
        }

        var resumed = await (await Client.PostAsync(new Uri($"/api/plans/{id}/resume", UriKind.Relative), null)).Content.ReadFromJsonAsync();
        Assert.Equal("running", resumed.GetProperty("state").GetString());
        var done = await Client.GetJsonAsync($"/api/plans/{id}?wait=90");

        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        // Empty now; Valkey makes a primary that lost its last slot a replica of the node that took it.
        var node = (await Client.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("id").GetString() == drained.Id);
        Assert.True(node.GetProperty("role").GetString() == "replica" || node.GetProperty("slots").GetArrayLength() == 0, node.GetRawText());
        Assert.Equal(keysBefore, await fixture.TotalKeysAsync());
    }

    [Fact]
    public async Task A_cancelled_plan_cancels_its_running_migration_and_starts_no_other_and_loses_nothing()
    {
        var primaries = await Client.PrimariesAsync();
        var drained = primaries[1];
        await fixture.WriteKeysAsync("cancel", SlotRangeSet.Parse(drained.Slots), 2_000);
        var keysBefore = await fixture.TotalKeysAsync();
        await using var hold = await MigrationHold.OnAsync(fixture.Valkey.GetServer(drained.Endpoint));
        using var started = await Client.PostJsonAsync("/api/plans", $$"""{"kind": "drain", "metric": "keys", "nodeIds": ["{{drained.Id}}"]}""");
        var id = (await started.Content.ReadFromJsonAsync()).GetProperty("id").GetString()!;
        var running = await fixture.WaitForPlanAsync(id, p => p.GetProperty("moves")[0].GetProperty("state").GetString() == "running", Deadline);
        var migrationId = running.GetProperty("moves")[0].GetProperty("migrationId").GetString();

        using var cancel = await Client.PostAsync(new Uri($"/api/plans/{id}/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var done = await fixture.WaitForPlanAsync(id, p => p.GetProperty("state").GetString() is "cancelled" or "failed" or "succeeded", Deadline);

        Assert.Equal("cancelled", done.GetProperty("state").GetString());
        Assert.Equal("cancelled", (await Client.GetJsonAsync($"/api/migrations/{migrationId}")).GetProperty("state").GetString());
        Assert.All(done.GetProperty("moves").EnumerateArray().Skip(1), m => Assert.Equal("cancelled", m.GetProperty("state").GetString()));
        Assert.Equal(drained.Slots, (await Client.PrimariesAsync()).Single(p => p.Id == drained.Id).Slots);
        Assert.Equal(keysBefore, await fixture.TotalKeysAsync());
    }

    private async Task<Dictionary<string, long>> KeysPerPrimaryAsync()
    {
        var result = new Dictionary<string, long>();
        foreach (var primary in await Client.PrimariesAsync())
        {
            result[primary.Id] = (long)await fixture.Valkey.GetServer(primary.Endpoint).ExecuteAsync("DBSIZE");
        }

        return result;
    }
}

internal static class JsonContent
{
    public static async Task<JsonElement> ReadFromJsonAsync(this HttpContent content) => JsonDocument.Parse(await content.ReadAsStringAsync()).RootElement.Clone();
}
