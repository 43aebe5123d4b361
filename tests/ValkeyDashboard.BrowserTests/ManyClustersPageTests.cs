using System.Text.Json;
using Microsoft.Playwright;
using StackExchange.Redis;
using ValkeyDashboard.BrowserTests.Infrastructure;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests;

/// <summary>
/// Several clusters in the browser: the /clusters overview lists them live, /clusters/{name} is that cluster's page
/// (its nodes only, its migrations moved in it), an unknown name and a cluster the token may not use are refused.
/// </summary>
public sealed class ManyClustersPageTests(TwoClustersBrowserFixture fixture) : BrowserTest(fixture), IClassFixture<TwoClustersBrowserFixture>
{
    private const string SecondApi = $"/api/clusters/{TwoClustersFixture.Second}";
    private const float Deadline = 60_000;
    private static readonly TimeSpan ApiDeadline = TimeSpan.FromSeconds(60);

    /// <summary>The pages of the default cluster main: its own route and /.</summary>
    private static readonly string[] MainPages = ["/", "/clusters/main"];

    [Fact]
    public Task The_overview_lists_main_second_and_gone_with_states_and_keeps_them_live() => ScreenshotOnFailureAsync(async () =>
    {
        await SignInAsync(TwoClustersFixture.OperatorToken);
        await Page.GetByTestId("clusters-link").ClickAsync();

        await Expect(Page).ToHaveURLAsync(new Uri(fixture.BaseUrl, "clusters").ToString());
        await Expect(Page.Locator("tr[data-testid^='cluster-row-']")).ToHaveCountAsync(3);
        await Expect(Page.GetByTestId("cluster-state-main")).ToHaveTextAsync("ok", new() { Timeout = Deadline });
        await Expect(Page.GetByTestId("cluster-state-second")).ToHaveTextAsync("ok", new() { Timeout = Deadline });
        await Expect(Page.GetByTestId("cluster-state-gone")).ToHaveTextAsync("unreachable", new() { Timeout = Deadline });
        await Expect(Page.GetByTestId("cluster-nodes-second")).ToHaveTextAsync("3");
        await Expect(Page.GetByTestId("cluster-nodes-main")).ToHaveTextAsync("6");

        // Keys written to the second cluster show up in its row without a reload.
        using var second = await ConnectToSecondAsync();
        var before = await TwoClustersFixture.KeyCountAsync(second);
        var keys = Enumerable.Range(0, 250).Select(i => (RedisKey)$"overview:{i}").ToArray();
        try
        {
            await Task.WhenAll(keys.Select(k => second.GetDatabase().StringSetAsync(k, "v")));
            await Expect(Page.GetByTestId("cluster-keys-second")).ToHaveTextAsync((before + keys.Length).ToString("N0", System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = Deadline });
        }
        finally
        {
            await Task.WhenAll(keys.Select(k => second.GetDatabase().KeyDeleteAsync(k)));
        }

        await Page.GetByTestId("cluster-link-second").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Uri(fixture.BaseUrl, "clusters/second").ToString());
    });

    [Fact]
    public Task The_second_clusters_page_shows_its_own_nodes_and_none_of_mains() => ScreenshotOnFailureAsync(async () =>
    {
        await SignInAsync(TwoClustersFixture.OperatorToken);
        using var api = fixture.Api();
        var secondPrimaries = await api.PrimariesAsync(SecondApi);
        var mainPrimaries = await api.PrimariesAsync();

        await new HeatMapPage(Page).OpenAsync(3, Deadline, "/clusters/second");

        foreach (var primary in secondPrimaries)
        {
            await Expect(Page.GetByTestId($"node-card-{primary.Id}")).ToContainTextAsync(primary.Endpoint);
        }

        foreach (var primary in mainPrimaries)
        {
            await Expect(Page.GetByTestId($"node-card-{primary.Id}")).ToHaveCountAsync(0);
        }

        await Expect(Page.GetByTestId("cluster-name")).ToContainTextAsync("second");
        await Expect(Page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("second"));
        await Expect(Page.GetByTestId("cluster-switcher")).ToBeVisibleAsync();

        // The switcher goes back to main's page, which shows main's nodes.
        await Page.GetByTestId("cluster-switcher").Locator("button").First.ClickAsync();
        await Page.GetByTestId("cluster-switch-main").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Uri(fixture.BaseUrl, "clusters/main").ToString());
        await Expect(Page.GetByTestId($"node-card-{mainPrimaries[0].Id}")).ToBeVisibleAsync(new() { Timeout = Deadline });
        await Expect(Page.GetByTestId($"node-card-{secondPrimaries[0].Id}")).ToHaveCountAsync(0);
    });

    [Fact]
    public Task Dragging_slots_on_the_second_clusters_page_moves_them_in_the_second_cluster_with_progress_shown() => ScreenshotOnFailureAsync(async () =>
    {
        await SignInAsync(TwoClustersFixture.OperatorToken);
        using var api = fixture.Api();
        var primaries = await api.PrimariesAsync(SecondApi);
        var mainBefore = await api.PrimariesAsync();
        var source = primaries.Single(p => SlotRangeSet.Parse(p.Slots).Contains(0));
        var target = primaries.First(p => p.Id != source.Id);
        using var second = await ConnectToSecondAsync();
        var moving = SlotRangeSet.Parse("0-99");
        var keys = Enumerable.Range(0, 200_000).Select(i => (RedisKey)$"page-second:{i}").Where(k => moving.Contains(second.HashSlot(k))).Take(500).ToArray();
        await Task.WhenAll(keys.Select(k => second.GetDatabase().StringSetAsync(k, new string('k', 100))));
        var map = new HeatMapPage(Page);
        await map.OpenAsync(3, Deadline, "/clusters/second");
        Exception? failure = null;
        try
        {
            string id;
            await using (await MigrationHold.OnAsync(second.GetServer(source.Endpoint)))
            {
                await map.DragSelectAsync(0, 99);
                await Expect(map.Canvas).ToHaveAttributeAsync("data-selection", "0-99");
                await map.DropSelectionOnAsync(50, target.Id);
                await Expect(Page.GetByTestId($"preflight-job-{source.Id}")).ToContainTextAsync("0-99");
                var before = await MigrationIdsAsync(api);
                await Page.GetByTestId("confirm-migration").ClickAsync();

                id = await NewMigrationIdAsync(api, before);
                await Expect(Page.GetByTestId($"migration-{id}")).ToHaveAttributeAsync("data-state", "running", new() { Timeout = Deadline });
                await Expect(Page.GetByTestId($"migration-progress-{id}")).ToBeVisibleAsync(new() { Timeout = Deadline });
                await Expect(map.Canvas).ToHaveAttributeAsync("data-moving", "0-99", new() { Timeout = Deadline });
            }

            await Expect(Page.GetByTestId($"migration-{id}")).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = Deadline });
            await Expect(map.Card(target.Id).GetByTestId("slot-range-chip-0-99")).ToBeVisibleAsync(new() { Timeout = Deadline });
            var owner = (await api.PrimariesAsync(SecondApi)).Single(p => p.Id == target.Id);
            Assert.True(SlotRangeSet.Parse(owner.Slots).Intersect(SlotRangeSet.Parse("0-99")).SlotCount == 100, $"{SecondApi}/cluster: {owner.Endpoint} owns {owner.Slots}");
            // Nothing moved in main, and main knows nothing of the migration.
            Assert.Equal(mainBefore, await api.PrimariesAsync());
            Assert.DoesNotContain(id, await MigrationIdsAsync(api, "/api"));
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            await TestCleanup.FinallyAsync(failure, async () =>
            {
                await api.MoveSlotsAsync("0-99", source.Id, ApiDeadline, SecondApi);
                await Task.WhenAll(keys.Select(k => second.GetDatabase().KeyDeleteAsync(k)));
            });
        }
    });

    [Fact]
    public Task An_unknown_cluster_is_a_page_naming_the_clusters() => ScreenshotOnFailureAsync(async () =>
    {
        await SignInAsync(TwoClustersFixture.OperatorToken);

        await Page.GotoAsync("/clusters/third");

        await Expect(Page.GetByTestId("cluster-unknown")).ToContainTextAsync("There is no cluster \"third\"; the clusters are: main, second, gone.");
        await Expect(Page.Locator("[data-testid^='node-card-']")).ToHaveCountAsync(0);
        await Expect(Page.GetByTestId("cluster-unknown-link-second")).ToHaveAttributeAsync("href", "/clusters/second");
    });

    [Fact]
    public Task A_browser_signed_in_for_second_only_sees_second_and_is_refused_main() => ScreenshotOnFailureAsync(async () =>
    {
        await Page.GotoAsync(TwoClustersBrowserFixture.LinkWith(TwoClustersFixture.SecondOnlyToken));

        await Expect(Page).ToHaveURLAsync(new Uri(fixture.BaseUrl, "clusters/second").ToString());
        await Expect(Page.Locator("[data-testid^='node-card-']")).ToHaveCountAsync(3, new() { Timeout = Deadline });
        await Expect(Page.GetByTestId("cluster-switcher")).ToHaveCountAsync(0);

        foreach (var path in MainPages)
        {
            await Page.GotoAsync(path);
            await Expect(Page.GetByTestId("cluster-refused")).ToContainTextAsync("Signed in as second-team, who may use the clusters second, not main");
            await Expect(Page.Locator("[data-testid^='node-card-']")).ToHaveCountAsync(0);
            await Expect(Page.GetByTestId("slot-heatmap")).ToHaveCountAsync(0);
        }

        await Page.GotoAsync("/clusters");
        await Expect(Page.Locator("tr[data-testid^='cluster-row-']")).ToHaveCountAsync(1);
        await Expect(Page.GetByTestId("cluster-row-second")).ToBeVisibleAsync();
    });

    /// <summary>Signs <see cref="BrowserTest.Page"/> in with <paramref name="token"/>; the dashboard opens.</summary>
    private async Task SignInAsync(string token)
    {
        await Page.GotoAsync(TwoClustersBrowserFixture.LinkWith(token));
        await Expect(Page.GetByTestId("cluster-name")).ToBeVisibleAsync(new() { Timeout = Deadline });
        // The sign-in lands on a cluster's page: wait for its circuit before a test clicks (a clean-clone run clicked
        // "Clusters" on the prerendered page, saw the overview, and then the circuit put the home page back).
        await new HeatMapPage(Page).WaitUntilLiveAsync(Deadline);
    }

    private Task<ConnectionMultiplexer> ConnectToSecondAsync() => TwoClustersFixture.ConnectAsync(fixture.SecondCluster);

    private static async Task<HashSet<string>> MigrationIdsAsync(HttpClient api, string prefix = SecondApi) =>
        [.. (await api.GetJsonAsync($"{prefix}/migrations?pageSize=200")).GetProperty("items").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];

    private static async Task<string> NewMigrationIdAsync(HttpClient api, HashSet<string> before)
    {
        string? id = null;
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ => (id = (await MigrationIdsAsync(api)).FirstOrDefault(m => !before.Contains(m))) is not null,
            ApiDeadline, "the migration started from the page", TimeSpan.FromMilliseconds(50));
        return id!;
    }
}
