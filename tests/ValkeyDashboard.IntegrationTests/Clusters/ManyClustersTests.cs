using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Api;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Clusters;

/// <summary>
/// One dashboard, two real clusters (its embedded one and an External one formed by valkey-cli): each served under
/// /api/clusters/{name}/… by the same API, each with only its own topology, migrations and audit trail, both listed
/// with live figures (and a third that nobody answers for, listed as unreachable), and tokens limited to some clusters
/// refused on the others.
/// </summary>
[Collection(OwnClustersCollection.Name)]
public class ManyClustersTests(TwoClustersFixture fixture) : IClassFixture<TwoClustersFixture>
{
    private const string MainApi = $"/api/clusters/{TwoClustersFixture.Main}";
    private const string SecondApi = $"/api/clusters/{TwoClustersFixture.Second}";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Metrics_measure_every_cluster_under_its_own_name()
    {
        IReadOnlyList<PrometheusSample> samples = [];
        await Wait.UntilAsync(
            async _ =>
            {
                samples = PrometheusExposition.Parse(await Client.GetStringAsync(new Uri("/metrics", UriKind.Relative), _));
                return new[] { TwoClustersFixture.Main, TwoClustersFixture.Second }.All(cluster =>
                    samples.Named("valkey_dashboard_cluster_state").Any(s => s["cluster"] == cluster && s["state"] == "ok" && s.Value == 1));
            },
            Deadline, "/metrics to show both clusters ok", TimeSpan.FromMilliseconds(200));

        Assert.Equal(1, samples.Single("valkey_dashboard_cluster_state", ("cluster", TwoClustersFixture.Gone), ("state", "unreachable")).Value);
        Assert.Equal(Cluster.Model.SlotRange.SlotCount, samples.Single("valkey_dashboard_cluster_slots_assigned", ("cluster", TwoClustersFixture.Second)).Value);
        // Each cluster's nodes under its own name: the second's three by their endpoints, the main one's six.
        var up = samples.Named("valkey_dashboard_node_up").ToList();
        Assert.Equal(
            fixture.SecondCluster.Endpoints.Order(StringComparer.Ordinal),
            up.Where(s => s["cluster"] == TwoClustersFixture.Second).Select(s => s["node"]).Order(StringComparer.Ordinal));
        Assert.Equal(6, up.Count(s => s["cluster"] == TwoClustersFixture.Main));
        Assert.DoesNotContain(up, s => s["cluster"] == TwoClustersFixture.Gone);

        // Each cluster's monitor times its own polls: the gone cluster's all fail, the others' answer.
        await Wait.UntilAsync(
            async _ =>
            {
                samples = PrometheusExposition.Parse(await Client.GetStringAsync(new Uri("/metrics", UriKind.Relative), _));
                return samples.Named("valkey_dashboard_monitor_poll_failures_total").Any(s => s["cluster"] == TwoClustersFixture.Gone && s.Value > 0);
            },
            Deadline, "the unreachable cluster's failed polls to be counted under its name", TimeSpan.FromMilliseconds(200));
        var polls = samples.Named("valkey_dashboard_monitor_poll_duration_seconds_count").ToDictionary(s => s["cluster"], s => s.Value);
        Assert.Equal([TwoClustersFixture.Gone, TwoClustersFixture.Main, TwoClustersFixture.Second], polls.Keys.Order(StringComparer.Ordinal));
        Assert.All(polls.Values, count => Assert.True(count > 0));
        Assert.DoesNotContain(samples.Named("valkey_dashboard_monitor_poll_failures_total"), s => s["cluster"] == TwoClustersFixture.Second && s.Value > 0);
    }

    [Fact]
    public async Task Every_cluster_is_listed_with_its_live_figures()
    {
        using var second = await ConnectToSecondAsync();
        var secondKeys = await KeyCountAsync(second);
        JsonElement[] items = [];

        await Wait.UntilAsync(
            async _ =>
            {
                items = [.. (await Client.GetJsonAsync("/api/clusters")).GetProperty("items").EnumerateArray()];
                return items.Length == 3 && items.Take(2).All(c => c.GetProperty("state").GetString() == "ok")
                    && items[1].GetProperty("keys").GetInt64() == secondKeys && items[2].GetProperty("state").GetString() == "unreachable";
            },
            Deadline, "both clusters to be listed as ok with the second's keys, the third as unreachable", TimeSpan.FromMilliseconds(100));

        var (main, other, gone) = (items[0], items[1], items[2]);
        Assert.Equal(TwoClustersFixture.Gone, gone.GetProperty("name").GetString());
        Assert.Equal(0, gone.GetProperty("nodes").GetInt32());
        Assert.False(string.IsNullOrEmpty(gone.GetProperty("error").GetString()), gone.GetRawText());
        Assert.Equal(TwoClustersFixture.Main, main.GetProperty("name").GetString());
        Assert.True(main.GetProperty("default").GetBoolean());
        Assert.Equal("embedded", main.GetProperty("mode").GetString());
        Assert.Equal(6, main.GetProperty("nodes").GetInt32());
        Assert.Equal(TwoClustersFixture.Second, other.GetProperty("name").GetString());
        Assert.False(other.GetProperty("default").GetBoolean());
        Assert.Equal("external", other.GetProperty("mode").GetString());
        Assert.Equal(3, other.GetProperty("nodes").GetInt32());
        foreach (var cluster in items.Take(2))
        {
            Assert.Equal(Cluster.Model.SlotRange.SlotCount, cluster.GetProperty("slotsCovered").GetInt32());
            Assert.True(cluster.GetProperty("usedMemoryBytes").GetInt64() > 0, cluster.GetRawText());
            Assert.Equal(0, cluster.GetProperty("runningMigrations").GetInt32());
            Assert.Equal(0, cluster.GetProperty("runningPlans").GetInt32());
            Assert.True(cluster.GetProperty("doctorFindings").GetInt32() >= 0);
            var self = cluster.GetProperty("links").GetProperty("cluster").GetString()!;
            Assert.Equal($"/api/clusters/{cluster.GetProperty("name").GetString()}/cluster", self);
            Assert.Equal(cluster.GetProperty("nodes").GetInt32(), (await Client.GetJsonAsync(self)).GetProperty("nodes").GetArrayLength());
        }

        Assert.Equal(TwoClustersFixture.Second, (await Client.GetJsonAsync(SecondApi)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Migrations_run_in_both_clusters_at_once_losing_no_key_and_each_cluster_shows_only_its_own()
    {
        var mainPrimaries = await Client.PrimariesAsync(MainApi);
        var secondPrimaries = await Client.PrimariesAsync(SecondApi);
        var mainSlots = FirstSlots(mainPrimaries[0].Slots, 200);
        var secondSlots = FirstSlots(secondPrimaries[0].Slots, 200);
        using var mainClient = await fixture.Factory.ConnectToClusterAsync();
        using var secondClient = await ConnectToSecondAsync();
        await SlotKeys.FillAsync(mainClient, SlotRangeSet.Parse(mainSlots), 20, "fleet-main-");
        await SlotKeys.FillAsync(secondClient, SlotRangeSet.Parse(secondSlots), 20, "fleet-second-");
        var (mainKeys, secondKeys) = (await KeyCountAsync(mainClient), await KeyCountAsync(secondClient));
        Assert.True(mainKeys >= 4000 && secondKeys >= 4000, $"keys written: {mainKeys}, {secondKeys}");
        var movedBefore = await KeysMovedAsync();

        await TestCleanup.RunAsync(
            async () =>
            {
                var started = await Task.WhenAll(
                    StartAsync(MainApi, mainSlots, mainPrimaries[1].Id),
                    StartAsync(SecondApi, secondSlots, secondPrimaries[1].Id));
                var (mainId, secondId) = (started[0], started[1]);
                await Task.WhenAll(
                    Client.WaitForMigrationAsync(mainId, m => m.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled", Deadline, MainApi),
                    Client.WaitForMigrationAsync(secondId, m => m.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled", Deadline, SecondApi));

                var mainMigration = await Client.GetJsonAsync($"{MainApi}/migrations/{mainId}");
                var secondMigration = await Client.GetJsonAsync($"{SecondApi}/migrations/{secondId}");
                Assert.Equal("succeeded", mainMigration.GetProperty("state").GetString());
                Assert.Equal("succeeded", secondMigration.GetProperty("state").GetString());
                Assert.Equal(mainKeys, await KeyCountAsync(mainClient));
                Assert.Equal(secondKeys, await KeyCountAsync(secondClient));

                // The keys-moved counter counts each cluster's migration under that cluster's name, and only there.
                var expected = new Dictionary<string, double>
                {
                    [TwoClustersFixture.Main] = movedBefore.GetValueOrDefault(TwoClustersFixture.Main) + mainMigration.GetProperty("keysMoved").GetInt64(),
                    [TwoClustersFixture.Second] = movedBefore.GetValueOrDefault(TwoClustersFixture.Second) + secondMigration.GetProperty("keysMoved").GetInt64(),
                };
                IReadOnlyDictionary<string, double> moved = movedBefore;
                await Wait.UntilAsync(
                    async _ => (moved = await KeysMovedAsync()).Count == 2 && expected.All(e => moved.GetValueOrDefault(e.Key) == e.Value),
                    Deadline, $"valkey_dashboard_migration_keys_moved_total to reach {string.Join(", ", expected)}", TimeSpan.FromMilliseconds(200));
                Assert.True(mainMigration.GetProperty("keysMoved").GetInt64() > 0 && secondMigration.GetProperty("keysMoved").GetInt64() > 0, "both migrations moved keys");
                Assert.Contains(mainSlots, (await Client.PrimariesAsync(MainApi)).Single(p => p.Id == mainPrimaries[1].Id).Slots, StringComparison.Ordinal);
                Assert.Contains(secondSlots, (await Client.PrimariesAsync(SecondApi)).Single(p => p.Id == secondPrimaries[1].Id).Slots, StringComparison.Ordinal);

                // Each cluster's migrations, topology and audit are its own; /api/… is the default (main) cluster.
                foreach (var (api, own, other) in new[] { (MainApi, mainId, secondId), (SecondApi, secondId, mainId), ("/api", mainId, secondId) })
                {
                    var migrations = (await Client.GetJsonAsync($"{api}/migrations?pageSize=200")).GetProperty("items").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
                    Assert.Contains(own, migrations);
                    Assert.DoesNotContain(other, migrations);
                    await MigrationsApiTests.AssertProblemAsync(await Client.GetAsync(new Uri($"{api}/migrations/{other}", UriKind.Relative)), HttpStatusCode.NotFound, other);
                    var audit = (await Client.GetJsonAsync($"{api}/audit?pageSize=200")).GetRawText();
                    Assert.Contains(own, audit, StringComparison.Ordinal);
                    Assert.DoesNotContain(other, audit, StringComparison.Ordinal);
                }

                var secondEndpoints = (await Client.PrimariesAsync(SecondApi)).Select(p => p.Endpoint).Order(StringComparer.Ordinal);
                Assert.Equal(fixture.SecondCluster.Endpoints.Order(StringComparer.Ordinal), secondEndpoints);
                Assert.DoesNotContain((await Client.PrimariesAsync(MainApi)).Select(p => p.Endpoint), e => fixture.SecondCluster.Endpoints.Contains(e));
                Assert.Equal(await Client.PrimariesAsync(MainApi), await Client.PrimariesAsync());
            },
            async () =>
            {
                await Client.MoveSlotsAsync(mainSlots, mainPrimaries[0].Id, Deadline, MainApi);
                await Client.MoveSlotsAsync(secondSlots, secondPrimaries[0].Id, Deadline, SecondApi);
            });
    }

    [Fact]
    public async Task A_token_limited_to_one_cluster_is_refused_on_the_others()
    {
        using var limited = fixture.ClientWith(TwoClustersFixture.SecondOnlyToken);

        using var own = await limited.GetAsync(new Uri($"{SecondApi}/cluster", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        foreach (var path in new[] { $"{MainApi}/cluster", "/api/cluster", "/api/migrations", MainApi })
        {
            await MigrationsApiTests.AssertProblemAsync(await limited.GetAsync(new Uri(path, UriKind.Relative)), HttpStatusCode.Forbidden,
                "token second-team may use clusters second; not main");
        }

        var listed = (await limited.GetJsonAsync("/api/clusters")).GetProperty("items").EnumerateArray().Select(c => c.GetProperty("name").GetString());
        Assert.Equal([TwoClustersFixture.Second], listed);
        await MigrationsApiTests.AssertProblemAsync(await limited.GetAsync(new Uri("/api/clusters/third/cluster", UriKind.Relative)), HttpStatusCode.NotFound,
            "the clusters are: second (");

        // A hub connection that names no cluster watches the default one, which the limited token may not; a browser
        // signed in with it lands on the page of the cluster it may use.
        using var hub = await limited.PostAsync(new Uri("/hubs/cluster/negotiate?negotiateVersion=1", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Forbidden, hub.StatusCode);
        using var ownHub = await limited.PostAsync(new Uri($"/hubs/cluster/negotiate?negotiateVersion=1&cluster={TwoClustersFixture.Second}", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, ownHub.StatusCode);
        using var browser = fixture.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        using var signIn = await browser.GetAsync(new Uri($"/login?t={TwoClustersFixture.SecondOnlyToken}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal($"/clusters/{TwoClustersFixture.Second}", signIn.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task An_unknown_cluster_is_a_404_naming_the_known_ones()
    {
        foreach (var path in new[] { "/api/clusters/third/cluster", "/api/clusters/third" })
        {
            await MigrationsApiTests.AssertProblemAsync(await Client.GetAsync(new Uri(path, UriKind.Relative)), HttpStatusCode.NotFound,
                "there is no cluster \"third\"; the clusters are: main, second, gone");
        }

        using var refused = await Client.PostJsonAsync("/api/clusters/third/migrations", """{"slots": "0", "targetNodeId": "x"}""");
        await MigrationsApiTests.AssertProblemAsync(refused, HttpStatusCode.NotFound, "the clusters are: main, second, gone");
    }

    private async Task<string> StartAsync(string api, string slots, string targetId)
    {
        using var response = await Client.PostJsonAsync($"{api}/migrations", $$"""{"slots": "{{slots}}", "targetNodeId": "{{targetId}}"}""");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{api}/migrations answered {(int)response.StatusCode}: {body}");
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        Assert.Equal($"{api}/migrations/{id}", response.Headers.Location?.OriginalString);
        return id;
    }

    /// <summary>Keys moved so far per <c>cluster</c> label (every state and engine added up).</summary>
    private async Task<Dictionary<string, double>> KeysMovedAsync() =>
        PrometheusExposition.Parse(await Client.GetStringAsync(new Uri("/metrics", UriKind.Relative)))
            .Named("valkey_dashboard_migration_keys_moved_total")
            .GroupBy(s => s["cluster"], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(s => s.Value), StringComparer.Ordinal);

    private Task<ConnectionMultiplexer> ConnectToSecondAsync() => TwoClustersFixture.ConnectAsync(fixture.SecondCluster);

    private static Task<long> KeyCountAsync(ConnectionMultiplexer client) => TwoClustersFixture.KeyCountAsync(client);

    /// <summary>The first <paramref name="count"/> slots of the largest range in <paramref name="slots"/>, as "a-b".</summary>
    private static string FirstSlots(string slots, int count)
    {
        var start = MigrationsApiTests.LargestRangeStart(slots);
        return $"{start}-{start + count - 1}";
    }
}
