using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Servers;

/// <summary>
/// What the dashboard in External mode shows of a 3-primary cluster of one server kind, formed by that server's own CLI:
/// the product, version and capabilities of every node, keys per slot (for servers without <c>CLUSTER SLOT-STATS</c>,
/// from the key-count sweeps), and which per-slot layers the servers cannot report and why. One subclass per kind,
/// each with its own cluster (<see cref="ServerClusterFixture"/>).
/// </summary>
public abstract class ServerKindTests(ServerClusterFixture fixture)
{
    /// <summary>Three slots, one per primary of a cluster formed by <c>--cluster create</c>, with how many keys the tests write into each.</summary>
    private static readonly (int Slot, int Keys)[] Written = [(100, 5), (6000, 7), (12000, 11)];

    protected CliCluster Cluster => fixture.Cluster;

    /// <summary>The API name of the product the nodes report.</summary>
    protected abstract string Product { get; }

    /// <summary>The API names of the capabilities every node of this kind reports (slot statistics on where the kind has them).</summary>
    protected abstract string[] Capabilities { get; }

    /// <summary>Whether the servers report CPU and network per slot.</summary>
    protected abstract bool ReportsLoad { get; }

    [Fact]
    public async Task The_dashboard_sees_the_cluster_its_cli_formed_with_product_version_and_capabilities_of_every_node()
    {
        var version = Cluster.Kind.ReadVersion();
        Assert.StartsWith(Cluster.Kind.ReleaseLine, version, StringComparison.Ordinal);

        await using var factory = Dashboard();
        using var client = factory.CreateClient();
        var cluster = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/cluster", UriKind.Relative));

        Assert.Equal("ok", cluster.GetProperty("state").GetString());
        Assert.Equal(16384, cluster.GetProperty("slotsAssigned").GetInt32());
        var nodes = cluster.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(Cluster.Endpoints.Order(), nodes.Select(n => n.GetProperty("endpoint").GetString()!).Order());
        Assert.All(nodes, n =>
        {
            Assert.Equal("primary", n.GetProperty("role").GetString());
            Assert.Equal("online", n.GetProperty("health").GetString());
            Assert.Equal(version, n.GetProperty("version").GetString());
            Assert.Equal(Product, n.GetProperty("product").GetString());
            Assert.Equal(Capabilities, n.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        });

        var page = WebUtility.HtmlDecode(await client.GetStringAsync(new Uri("/", UriKind.Relative)));
        Assert.Contains($"{(Product == "redis" ? "Redis" : "Valkey")} {version}", page, StringComparison.Ordinal);
        Assert.Equal(3, page.Split("data-testid=\"node-capabilities-").Length - 1);
    }

    [Fact]
    public async Task Keys_per_slot_reach_the_slot_api()
    {
        await using var factory = Dashboard();
        using var client = factory.CreateClient();
        await using var application = await ApplicationClient.ConnectAsync(Cluster.Password, [.. Cluster.Endpoints]);
        var keys = Written.SelectMany(w => KeysInSlot(application, w.Slot, w.Keys)).ToList();

        await TestCleanup.RunAsync(
            async () =>
            {
                var db = application.GetDatabase();
                await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, "v")));

                // Servers without SLOT-STATS are swept every second here (Valkey:Monitor:KeyCountSweepInterval), the others read every poll.
                await Wait.UntilAsync(
                    async cancellationToken =>
                    {
                        var slots = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/slots", UriKind.Relative), cancellationToken);
                        var counts = slots.GetProperty("keys");
                        return Written.All(w => counts[w.Slot].GetInt64() == w.Keys);
                    },
                    TimeSpan.FromSeconds(30), $"the slot API to count {string.Join(", ", Written.Select(w => $"{w.Keys} keys in slot {w.Slot}"))}", TimeSpan.FromMilliseconds(200));
            },
            async () =>
            {
                var db = application.GetDatabase();
                await Task.WhenAll(keys.Select(k => db.KeyDeleteAsync(k)));
            });
    }

    [Fact]
    public async Task The_load_layers_are_reported_where_the_servers_have_them_and_otherwise_the_page_says_why()
    {
        await using var factory = Dashboard();
        using var client = factory.CreateClient();

        var slots = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/slots", UriKind.Relative));
        var page = WebUtility.HtmlDecode(await client.GetStringAsync(new Uri("/", UriKind.Relative)));

        Assert.Equal(ReportsLoad ? JsonValueKind.Array : JsonValueKind.Null, slots.GetProperty("cpuUsec").ValueKind);
        Assert.Equal(ReportsLoad ? JsonValueKind.Array : JsonValueKind.Null, slots.GetProperty("networkBytesIn").ValueKind);
        if (ReportsLoad)
        {
            Assert.DoesNotContain("data-testid=\"no-slot-stats\"", page, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains($"CPU and network per slot need CLUSTER SLOT-STATS (Valkey 8+); this cluster runs Redis {Cluster.Kind.ReadVersion()}.", page, StringComparison.Ordinal);
            Assert.Contains("data-testid=\"swept-key-counts\"", page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_monitor_sends_no_command_the_servers_lack()
    {
        await using var factory = Dashboard();
        using var client = factory.CreateClient();
        var perSlotCommand = Cluster.Kind.HasSlotStats ? "cmdstat_cluster|slot-stats:calls=" : "cmdstat_cluster|countkeysinslot:calls=";
        await PolledAsync();

        // From here on each node's error statistics count every error reply it sends: a command it lacks, sent each poll,
        // would show there. (What client libraries try once when they connect, before this, does not count.)
        await Cluster.ResetStatsAsync();

        await PolledAsync();
        var errors = await Cluster.ErrorRepliesAsync();
        Assert.True(errors.Count == 0, $"nodes answered the monitor's polls with errors: {string.Join("; ", errors.Select(e => $"{e.Key} {string.Join(' ', e.Value)}"))}");

        // Several polls, and the per-slot figures read at least once, on every node.
        Task PolledAsync() => Wait.UntilAsync(
            async _ =>
            {
                foreach (var port in Ports)
                {
                    var stats = await Cluster.CliAsync("-p", port, "INFO", "commandstats");
                    if (Calls(stats, "cmdstat_info:calls=") < 8 || Calls(stats, perSlotCommand) == 0)
                    {
                        return false;
                    }
                }

                return true;
            },
            TimeSpan.FromSeconds(30), $"every node to have answered several polls and {perSlotCommand.Split(':')[0]}", TimeSpan.FromMilliseconds(200));

        static long Calls(string stats, string prefix)
        {
            var line = stats.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line[prefix.Length..].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private IEnumerable<string> Ports => Cluster.MemberPorts.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The dashboard in External mode, seeded with the first node only (it finds the rest), key counts swept every second.</summary>
    protected DashboardAppFactory Dashboard() =>
        DashboardAppFactory.External([Cluster.Endpoints[0]])
            .With("Valkey:Password", Cluster.Password)
            .With("Valkey:Monitor:KeyCountSweepInterval", "00:00:01");

    /// <summary><paramref name="count"/> keys of one hash tag that falls in <paramref name="slot"/>.</summary>
    private static IEnumerable<string> KeysInSlot(ConnectionMultiplexer client, int slot, int count)
    {
        var tag = Enumerable.Range(0, 1_000_000).Select(i => $"{{servers-{i}}}").First(t => client.HashSlot(t) == slot);
        return Enumerable.Range(0, count).Select(i => $"{tag}:{i}");
    }
}

/// <summary>Redis 7.0 (Debian 12): no SLOT-STATS, so keys per slot come from sweeps and CPU/network are unavailable.</summary>
public sealed class Redis7ServerTests(Redis7ClusterFixture fixture) : ServerKindTests(fixture), IClassFixture<Redis7ClusterFixture>
{
    protected override string Product => "redis";

    protected override string[] Capabilities => ["cluster-shards", "key-migration"];

    protected override bool ReportsLoad => false;
}

/// <summary>Redis 8.0 (Debian testing): the same as Redis 7.0 for everything the dashboard uses.</summary>
public sealed class Redis8ServerTests(Redis8ClusterFixture fixture) : ServerKindTests(fixture), IClassFixture<Redis8ClusterFixture>
{
    protected override string Product => "redis";

    protected override string[] Capabilities => ["cluster-shards", "key-migration"];

    protected override bool ReportsLoad => false;
}

/// <summary>Redis 7.0 with <c>requirepass</c>: the dashboard authenticates every connection (the monitor's and the sweeps').</summary>
public sealed class Redis7PasswordServerTests(Redis7PasswordClusterFixture fixture) : ServerKindTests(fixture), IClassFixture<Redis7PasswordClusterFixture>
{
    protected override string Product => "redis";

    protected override string[] Capabilities => ["cluster-shards", "key-migration"];

    protected override bool ReportsLoad => false;

    [Fact]
    public async Task Without_the_password_the_dashboard_cannot_read_the_cluster_and_says_why()
    {
        await using var factory = Dashboard().With("Valkey:Password", null);
        using var client = factory.CreateClient();

        var cluster = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/cluster", UriKind.Relative));

        Assert.Equal("unreachable", cluster.GetProperty("state").GetString());
        Assert.Contains("NOAUTH", cluster.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>Valkey 9 formed by valkey-cli (the embedded cluster's server): everything, atomic slot migration included.</summary>
public sealed class Valkey9ServerTests(Valkey9ClusterFixture fixture) : ServerKindTests(fixture), IClassFixture<Valkey9ClusterFixture>
{
    protected override string Product => "valkey";

    protected override string[] Capabilities => ["cluster-shards", "slot-stats", "slot-stats-load", "atomic-slot-migration", "key-migration"];

    protected override bool ReportsLoad => true;
}
