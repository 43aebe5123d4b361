using System.Net;
using System.Text.Json;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Api;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace ValkeyDashboard.IntegrationTests.Servers;

/// <summary>
/// Servers without atomic slot migration (Valkey 8.0, Redis 7.0, Redis 8.0): besides what every kind does
/// (<see cref="ServerKindMigrationTests{TFixture}"/>, asked for <c>"engine": "auto"</c>), the engine choice itself:
/// auto picks key by key, the preflight says so and lists what clients see, atomic is refused naming node and version.
/// </summary>
public abstract class OlderServerMigrationTests<TFixture>(TFixture fixture, ITestOutputHelper output) : ServerKindMigrationTests<TFixture>(fixture, output)
    where TFixture : ServerClusterFixture
{
    [Fact]
    public async Task Auto_picks_key_by_key_the_preflight_lists_what_clients_see_and_atomic_is_refused_naming_node_and_version_changing_nothing()
    {
        await using var factory = Dashboard();
        using var client = factory.CreateClient();
        var (source, target) = await PairAsync(client);
        var slots = SlotRangeSet.FromSlots(SlotRangeSet.Parse(source.Slots).Slots().Take(10)).ToString();

        using (var preflight = await client.PostJsonAsync("/api/migrations/preflight", $$"""{"slots": "{{slots}}", "targetNodeId": "{{target.Id}}"}"""))
        {
            Assert.True(preflight.StatusCode == HttpStatusCode.OK, await preflight.Content.ReadAsStringAsync());
            var body = JsonDocument.Parse(await preflight.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("keys", body.GetProperty("engine").GetString());
            var effects = body.GetProperty("clientEffects").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.Contains(effects, e => e.Contains("ASK", StringComparison.Ordinal));
            Assert.Contains(effects, e => e.Contains("TRYAGAIN", StringComparison.Ordinal));
        }

        var version = Cluster.Kind.ReadVersion();
        var migrationsBefore = (await client.GetJsonAsync("/api/migrations")).GetProperty("total").GetInt32();
        await MigrationsApiTests.AssertProblemAsync(
            await client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slots}}", "targetNodeId": "{{target.Id}}", "engine": "atomic"}"""),
            HttpStatusCode.Conflict, $"{target.Endpoint} runs {Cluster.Kind.Product} {version}, which has no atomic slot migration");
        Assert.Equal(migrationsBefore, (await client.GetJsonAsync("/api/migrations")).GetProperty("total").GetInt32());
        Assert.Equal(source.Slots, (await client.PrimariesAsync()).Single(p => p.Id == source.Id).Slots);
        await AssertNoSlotOpenAsync();
    }
}

/// <summary>Valkey 8.0 (Debian 12 backports): no atomic slot migration, so slots move key by key.</summary>
public sealed class Valkey8MigrationTests(Valkey8ClusterFixture fixture, ITestOutputHelper output) : OlderServerMigrationTests<Valkey8ClusterFixture>(fixture, output);

/// <summary>Redis 7.0 (Debian 12); a plan's moves pick the key-by-key engine here too.</summary>
public sealed class Redis7MigrationTests(Redis7ClusterFixture fixture, ITestOutputHelper output) : OlderServerMigrationTests<Redis7ClusterFixture>(fixture, output)
{
    [Fact]
    public async Task A_plan_moves_its_slots_key_by_key_end_to_end_and_every_key_stays()
    {
        await using var factory = Dashboard();
        using var client = factory.CreateClient();
        await using var application = await ApplicationClient.ConnectAsync(Cluster.Password, [.. Cluster.Endpoints]);
        var db = application.GetDatabase();
        await Task.WhenAll(Enumerable.Range(0, 3_000).Select(i => db.StringSetAsync($"kinds-plan:{i}", i)));
        var keysBefore = await TotalKeysAsync(application);
        var heavier = (await client.PrimariesAsync())[1];

        await TestCleanup.RunAsync(
            async () =>
            {
                // auto (the default), as for a single migration: no node here has atomic slot migration.
                var plan = await RunPlanAsync(client, $$$"""{"kind": "rebalance", "metric": "slots", "weights": {"{{{heavier.Id}}}": 1.2}}""");
                var moves = plan.GetProperty("moves").EnumerateArray().ToList();
                Assert.NotEmpty(moves);
                foreach (var move in moves)
                {
                    Assert.Equal(heavier.Id, move.GetProperty("targetNodeId").GetString());
                    var migration = await client.GetJsonAsync($"/api/migrations/{move.GetProperty("migrationId").GetString()}");
                    Assert.Equal("keys", migration.GetProperty("engine").GetString());
                    Assert.Equal("succeeded", migration.GetProperty("state").GetString());
                }

                var owned = SlotRangeSet.Parse((await client.PrimariesAsync()).Single(p => p.Id == heavier.Id).Slots).SlotCount;
                Assert.InRange(owned, 16384 * 1.2 / 3.2 * 0.98, 16384 * 1.2 / 3.2 * 1.02);
                Assert.Equal(keysBefore, await TotalKeysAsync(application));
                Assert.All(Enumerable.Range(0, 3_000), i => Assert.Equal(i, (int)db.StringGet($"kinds-plan:{i}")));
                await AssertNoSlotOpenAsync();
            },
            async () => await RunPlanAsync(client, """{"kind": "rebalance", "metric": "slots"}"""));
    }

    private static async Task<JsonElement> RunPlanAsync(HttpClient client, string body)
    {
        using var started = await client.PostJsonAsync("/api/plans", body);
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var id = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        var done = await client.GetJsonAsync($"/api/plans/{id}?wait=60");
        Assert.True(done.GetProperty("state").GetString() == "succeeded", done.GetRawText());
        return done;
    }

    private async Task<long> TotalKeysAsync(ConnectionMultiplexer application)
    {
        var sizes = await Task.WhenAll(Cluster.Endpoints.Select(e => application.GetServer(e).ExecuteAsync("DBSIZE")));
        return sizes.Sum(s => (long)s);
    }
}

/// <summary>Redis 8.0 (Debian testing).</summary>
public sealed class Redis8MigrationTests(Redis8ClusterFixture fixture, ITestOutputHelper output) : OlderServerMigrationTests<Redis8ClusterFixture>(fixture, output);

/// <summary>Redis 7.0 with <c>requirepass</c>: every MIGRATE authenticates to the target (<c>AUTH</c>), or its keys would not move.</summary>
public sealed class Redis7PasswordMigrationTests(Redis7PasswordClusterFixture fixture, ITestOutputHelper output) : OlderServerMigrationTests<Redis7PasswordClusterFixture>(fixture, output)
{
    [Fact]
    public async Task With_an_acl_user_each_migrate_authenticates_as_that_user_and_the_keys_move()
    {
        const string User = "slot-mover";
        const string Secret = "slot-mover-secret";
        var ports = Cluster.MemberPorts.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        await TestCleanup.RunAsync(
            async () =>
            {
                // The user's password is not the default user's: a MIGRATE that sent AUTH <password> alone (as the
                // default user) would be refused by the target, so only AUTH2 <user> <password> moves the keys.
                foreach (var port in ports)
                {
                    await Cluster.CliAsync("-p", port, "ACL", "SETUSER", User, "on", $">{Secret}", "~*", "&*", "+@all");
                }

                await using var factory = Dashboard().With("Valkey:User", User).With("Valkey:Password", Secret);
                using var client = factory.CreateClient();
                var (source, target) = await PairAsync(client);
                await using var application = await ApplicationClient.ConnectAsync(Cluster.Password, [.. Cluster.Endpoints]);
                var slots = await FillAsync(application, source, 10, "acl");
                var keysBefore = await CountKeysAsync(application, source.Endpoint, slots);

                var id = Id(await StartAsync(client, $$"""{"slots": "{{slots}}", "targetNodeId": "{{target.Id}}"}"""));
                var done = await client.WaitForMigrationAsync(id, IsFinished, TimeSpan.FromSeconds(60));

                Assert.True(done.GetProperty("state").GetString() == "succeeded", done.GetRawText());
                Assert.Equal("keys", done.GetProperty("engine").GetString());
                Assert.Equal(0, await CountKeysAsync(application, source.Endpoint, slots));
                Assert.Equal(keysBefore, await CountKeysAsync(application, target.Endpoint, slots));
                await WaitUntilOwnedAsync(client, target.Id, slots);
            },
            async () =>
            {
                foreach (var port in ports)
                {
                    await Cluster.CliAsync("-p", port, "ACL", "DELUSER", User);
                }
            });
    }
}
