using System.Globalization;
using System.Net;
using System.Text.Json;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Api;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace ValkeyDashboard.IntegrationTests.Servers;

/// <summary>
/// Moving slots on a server kind without atomic slot migration (Valkey 8.0, Redis 7.0, Redis 8.0), through the dashboard
/// in External mode over a 3-primary cluster formed by that server's own CLI: <c>"engine": "auto"</c> picks the
/// key-by-key engine and atomic is refused; a range of slots moves under client load with no key lost and no stale
/// read; a cancel leaves each slot whole on one side; the dashboard's own restart mid-migration resumes and finishes it.
/// One thin subclass per kind, each with its own cluster (<typeparamref name="TFixture"/>). Tests pick their slots from
/// the ownership they find and write keys of their own, so they do not depend on one another's order.
/// </summary>
public abstract class ServerKindMigrationTests<TFixture>(TFixture fixture, ITestOutputHelper output) : IClassFixture<TFixture>
    where TFixture : ServerClusterFixture
{
    protected const int KeysPerSlot = 60;

    /// <summary>Keys per slot of the restart test: enough that a slot stays open for a while, one key per MIGRATE.</summary>
    private const int RestartKeysPerSlot = 600;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    protected CliCluster Cluster => fixture.Cluster;

    /// <summary>The engine the tests ask for: auto on servers without atomic slot migration (it must pick keys there), keys on Valkey 9.</summary>
    protected virtual string RequestedEngine => "auto";

    [Fact]
    public async Task A_range_of_slots_moves_key_by_key_under_client_load_without_losing_a_key_or_serving_a_stale_read()
    {
        await using var factory = Dashboard();
        using var client = factory.CreateClient();
        var (source, target) = await PairAsync(client);
        var slots = SlotRangeSet.FromSlots(SlotRangeSet.Parse(source.Slots).Slots().Take(100));
        await using var application = await ApplicationClient.ConnectAsync(Cluster.Password, [.. Cluster.Endpoints]);
        var keys = Enumerable.Range(0, 400_000).Select(i => $"kinds-load:{i}").Where(k => slots.Contains(application.HashSlot(k))).Take(2_000).ToArray();
        Assert.Equal(2_000, keys.Length);
        await Task.WhenAll(keys.Select(k => application.GetDatabase().StringSetAsync(k, 0)));
        using var load = new ClientLoad(application.GetDatabase(), keys, writers: 4);
        await load.WaitForOperationsAsync(4_000, Deadline);
        var keysBefore = await CountKeysAsync(application, source.Endpoint, slots);

        var migration = await StartAsync(client, $$"""{"slots": "{{slots}}", "targetNodeId": "{{target.Id}}", "engine": "{{RequestedEngine}}"}""");
        Assert.Equal("keys", migration.GetProperty("engine").GetString());
        var done = await client.WaitForMigrationAsync(Id(migration), IsFinished, Deadline);
        await load.WaitForOperationsAsync(load.Operations + 2_000, Deadline);
        await load.StopAsync();

        output.WriteLine($"{Cluster.Kind}: {slots.SlotCount} slots, {keysBefore} keys moved key by key in {done.GetProperty("durationMilliseconds")} ms; " +
            $"client load: {load.Operations} commands, {load.Failures.Count} failed, {load.StaleReads} stale reads");
        foreach (var failure in load.Failures.Take(5))
        {
            output.WriteLine($"  failed: {failure}");
        }

        Assert.True(done.GetProperty("state").GetString() == "succeeded", done.GetRawText());
        Assert.Equal("keys", done.GetProperty("engine").GetString());
        Assert.Equal(slots.ToString(), done.GetProperty("jobs")[0].GetProperty("slotsMoved").GetString());
        // Single-key commands never need to fail during a key-by-key move (the client follows ASK): the protocol forces no error here.
        Assert.True(load.Failures.IsEmpty, $"{load.Failures.Count} client commands failed, e.g. {string.Join(" | ", load.Failures.Take(3))}");
        Assert.Equal(0, load.StaleReads);
        Assert.Equal(0, await CountKeysAsync(application, source.Endpoint, slots));
        // Every key there at the start moved; keys the load created while a slot was open went straight to the target (ASK).
        Assert.InRange(done.GetProperty("keysMoved").GetInt64(), keysBefore, await CountKeysAsync(application, target.Endpoint, slots));
        await WaitUntilOwnedAsync(client, target.Id, slots);
        var db = application.GetDatabase();
        foreach (var (key, value) in load.LastWritten)
        {
            Assert.Equal(value, (long)await db.StringGetAsync(key));
        }

        await AssertNoSlotOpenAsync();
    }

    [Fact]
    public async Task A_cancel_mid_way_leaves_every_slot_whole_on_one_side_and_says_which_slots_moved()
    {
        await using var factory = Dashboard(slow: true);
        using var client = factory.CreateClient();
        var (source, target) = await PairAsync(client);
        await using var application = await ApplicationClient.ConnectAsync(Cluster.Password, [.. Cluster.Endpoints]);
        var slots = await FillAsync(application, source, 40, "cancel");
        var keysBefore = await CountKeysAsync(application, source.Endpoint, slots);

        var id = Id(await StartAsync(client, $$"""{"slots": "{{slots}}", "targetNodeId": "{{target.Id}}", "engine": "{{RequestedEngine}}"}"""));
        await client.WaitForMigrationAsync(id, m => SlotsMoved(m).SlotCount >= 3 || IsFinished(m), Deadline);
        using (var cancel = await client.PostJsonAsync($"/api/migrations/{id}/cancel", "{}"))
        {
            Assert.True(cancel.IsSuccessStatusCode, await cancel.Content.ReadAsStringAsync());
        }

        var done = await client.WaitForMigrationAsync(id, IsFinished, Deadline);

        Assert.True(done.GetProperty("state").GetString() == "cancelled", done.GetRawText());
        var moved = SlotsMoved(done);
        Assert.InRange(moved.SlotCount, 3, slots.SlotCount - 1);
        Assert.Contains($"Cancelled after moving slots {moved} of {slots} to {target.Endpoint}", done.GetProperty("error").GetString(), StringComparison.Ordinal);
        foreach (var slot in slots.Slots())
        {
            var one = SlotRangeSet.FromSlots([slot]);
            var (onSource, onTarget) = (await CountKeysAsync(application, source.Endpoint, one), await CountKeysAsync(application, target.Endpoint, one));
            Assert.True(moved.Contains(slot) ? onSource == 0 && onTarget == KeysPerSlot : onTarget == 0 && onSource == KeysPerSlot, $"slot {slot}: {onSource} keys on the source, {onTarget} on the target");
        }

        Assert.Equal(keysBefore, await CountKeysAsync(application, source.Endpoint, slots) + await CountKeysAsync(application, target.Endpoint, slots));
        Assert.Equal(done.GetProperty("keysMoved").GetInt64(), await CountKeysAsync(application, target.Endpoint, moved));
        await WaitUntilOwnedAsync(client, target.Id, moved);
        await AssertNoSlotOpenAsync();
    }

    [Fact]
    public async Task A_migration_running_when_the_dashboard_restarts_resumes_and_finishes_with_every_key_there()
    {
        var first = Dashboard(slow: true);
        first.KeepData = true;
        string id, targetId, targetEndpoint;
        SlotRangeSet slots;
        long keysBefore;
        await using var application = await ApplicationClient.ConnectAsync(Cluster.Password, [.. Cluster.Endpoints]);
        try
        {
            using var client = first.CreateClient();
            var (source, target) = await PairAsync(client);
            (targetId, targetEndpoint) = (target.Id, target.Endpoint);
            // Many keys per slot, so the slot in flight is open long enough (one key per MIGRATE) for the stop to catch it
            // half-moved: with 60 the tracker's samples could miss that window on a fast server and find it finished.
            slots = await FillAsync(application, source, 6, "restart", RestartKeysPerSlot);
            keysBefore = await CountKeysAsync(application, source.Endpoint, slots);
            id = Id(await StartAsync(client, $$"""{"slots": "{{slots}}", "targetNodeId": "{{target.Id}}", "engine": "{{RequestedEngine}}"}"""));
            await client.WaitForMigrationAsync(id, m => (SlotsMoved(m).SlotCount >= 2 && m.GetProperty("keysMoved").GetInt64() % RestartKeysPerSlot is > 20 and < RestartKeysPerSlot - 200) || IsFinished(m), Deadline);
        }
        finally
        {
            await first.DisposeAsync();
        }

        // Stopped between two batches: the slot in flight stays open, its keys split between the two nodes.
        Assert.Contains("[", await ClusterNodesAsync(), StringComparison.Ordinal);
        await using var second = Dashboard(slow: true, first.DataDirectory);
        using var restarted = second.CreateClient();

        var done = await restarted.WaitForMigrationAsync(id, IsFinished, Deadline);

        Assert.True(done.GetProperty("state").GetString() == "succeeded", done.GetRawText());
        Assert.Equal(slots, SlotsMoved(done));
        Assert.Equal(keysBefore, await CountKeysAsync(application, targetEndpoint, slots));
        await WaitUntilOwnedAsync(restarted, targetId, slots);
        await AssertNoSlotOpenAsync();
    }

    /// <summary>
    /// The dashboard in External mode, seeded with the first node only, with the cluster's password; <paramref name="slow"/>
    /// moves one key per MIGRATE and one slot at a time, so that a cancel or restart surely catches the migration running.
    /// </summary>
    protected DashboardAppFactory Dashboard(bool slow = false, string? dataDirectory = null)
    {
        var factory = DashboardAppFactory.External([Cluster.Endpoints[0]], dataDirectory).With("Valkey:Password", Cluster.Password);
        return slow ? factory.With("Migrations:Keys:KeysPerBatch", "1").With("Migrations:Keys:SlotsInFlight", "1") : factory;
    }

    /// <summary>The primary with the most slots (source) and the next one by endpoint (target).</summary>
    protected static async Task<((string Id, string Endpoint, string Slots) Source, (string Id, string Endpoint, string Slots) Target)> PairAsync(HttpClient client)
    {
        var primaries = await client.PrimariesAsync();
        var source = primaries.MaxBy(p => SlotRangeSet.Parse(p.Slots).SlotCount);
        return (source, primaries.First(p => p.Id != source.Id));
    }

    /// <summary>Waits (briefly: the dashboard polls every 250 ms here) until /api/cluster shows <paramref name="nodeId"/> owning <paramref name="slots"/>.</summary>
    protected static Task WaitUntilOwnedAsync(HttpClient client, string nodeId, SlotRangeSet slots) =>
        Wait.UntilAsync(
            async _ => slots.Except(SlotRangeSet.Parse((await client.PrimariesAsync()).Single(p => p.Id == nodeId).Slots)).IsEmpty,
            TimeSpan.FromSeconds(10), $"the dashboard to show {nodeId} owning {slots}", TimeSpan.FromMilliseconds(100));

    protected static async Task<JsonElement> StartAsync(HttpClient client, string body)
    {
        using var response = await client.PostJsonAsync("/api/migrations", body);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    protected static async Task<long> CountKeysAsync(ConnectionMultiplexer application, string endpoint, SlotRangeSet slots)
    {
        var server = application.GetServer(endpoint);
        var counts = await Task.WhenAll(slots.Slots().Select(s => server.ExecuteAsync("CLUSTER", "COUNTKEYSINSLOT", s)));
        return counts.Sum(c => (long)c);
    }

    /// <summary>No node has a slot open (<c>[slot-&gt;-id]</c> / <c>[slot-&lt;-id]</c> in <c>CLUSTER NODES</c>).</summary>
    protected async Task AssertNoSlotOpenAsync() => Assert.DoesNotContain("[", await ClusterNodesAsync(), StringComparison.Ordinal);

    private async Task<string> ClusterNodesAsync()
    {
        var replies = await Task.WhenAll(Cluster.MemberPorts.Select(p => Cluster.CliAsync("-p", p.ToString(CultureInfo.InvariantCulture), "CLUSTER", "NODES")));
        return string.Concat(replies);
    }

    /// <summary>
    /// The first <paramref name="count"/> slots of <paramref name="source"/> that hold no key yet (other tests of the class
    /// leave keys behind), each given <see cref="KeysPerSlot"/> keys of one hash tag: so every slot holds exactly that many.
    /// </summary>
    protected static async Task<SlotRangeSet> FillAsync(ConnectionMultiplexer application, (string Id, string Endpoint, string Slots) source, int count, string prefix, int keysPerSlot = KeysPerSlot)
    {
        var candidates = SlotRangeSet.Parse(source.Slots).Slots().Take(count + 400).ToList();
        var server = application.GetServer(source.Endpoint);
        var counts = await Task.WhenAll(candidates.Select(s => server.ExecuteAsync("CLUSTER", "COUNTKEYSINSLOT", s)));
        var slots = SlotRangeSet.FromSlots(candidates.Where((_, i) => (long)counts[i] == 0).Take(count));
        Assert.Equal(count, slots.SlotCount);
        await SlotKeys.FillAsync(application, slots, keysPerSlot, prefix);
        return slots;
    }

    protected static string Id(JsonElement migration) => migration.GetProperty("id").GetString()!;

    protected static bool IsFinished(JsonElement migration) => migration.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled";

    protected static SlotRangeSet SlotsMoved(JsonElement migration) =>
        migration.GetProperty("jobs")[0].GetProperty("slotsMoved").GetString() is { Length: > 0 } moved ? SlotRangeSet.Parse(moved) : SlotRangeSet.Empty;
}

/// <summary>
/// Valkey 9 formed by valkey-cli, asked for the key-by-key engine: the same moves, cancel and restart through the
/// External-mode dashboard as on the older servers (auto picks atomic here; the atomic engine has tests of its own).
/// </summary>
public sealed class Valkey9KeyMigrationTests(Valkey9ClusterFixture fixture, ITestOutputHelper output) : ServerKindMigrationTests<Valkey9ClusterFixture>(fixture, output)
{
    protected override string RequestedEngine => "keys";
}
