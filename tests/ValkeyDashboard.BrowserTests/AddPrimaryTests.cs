using System.Text.Json;
using Microsoft.Playwright;
using ValkeyDashboard.BrowserTests.Infrastructure;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests;

/// <summary>
/// An operator adds a primary from the page: the embedded cluster gets a new, empty primary, which appears with a card
/// of its own (offering "Rebalance onto it" and Remove) and is audited. Then Remove on its card takes it out of the
/// cluster again (the real removal: forgotten by every node, process stopped, folder deleted), so the shared cluster
/// has its three primaries for the tests after it.
/// </summary>
[Collection(DashboardBrowserCollection.Name)]
public sealed class AddPrimaryTests(DashboardBrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    private const float Deadline = 60_000;
    private static readonly TimeSpan ClusterDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public Task Add_primary_on_the_page_adds_an_empty_primary_with_a_card_of_its_own_and_Remove_takes_it_out_again() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var before = (await NodesAsync(api)).Select(n => n.GetProperty("id").GetString()!).ToHashSet();
        var primaries = (await api.PrimariesAsync()).Count;
        var map = new HeatMapPage(Page);
        await map.OpenAsync(primaries, Deadline);

        Exception? failure = null;
        try
        {
            await Page.GetByTestId("add-primary").ClickAsync();

            await Expect(Page.GetByText("Adding an empty primary: done.")).ToBeVisibleAsync(new() { Timeout = Deadline });
            await Expect(Page.Locator("[data-testid^=\"node-card-\"]")).ToHaveCountAsync(primaries + 1, new() { Timeout = Deadline });
            var added = (await NodesAsync(api)).Single(n => !before.Contains(n.GetProperty("id").GetString()!));
            var id = added.GetProperty("id").GetString()!;
            var endpoint = added.GetProperty("endpoint").GetString()!;
            Assert.Equal("primary", added.GetProperty("role").GetString());
            Assert.Equal(0, added.GetProperty("slots").GetArrayLength());
            var card = map.Card(id);
            await Expect(card).ToContainTextAsync(endpoint);
            await Expect(card.GetByTestId("slot-ranges")).ToHaveTextAsync("no slots");
            await Expect(card.GetByTestId($"node-row-{id}").GetByTestId("health")).ToHaveTextAsync("online", new() { Timeout = Deadline });
            // An operator can move slots onto it like onto any other primary, or rebalance onto it; it can go again.
            await Expect(card).ToHaveAttributeAsync("data-drop-node", id);
            await Expect(card.GetByTestId($"rebalance-onto-{id}")).ToBeEnabledAsync();
            await Expect(card.GetByTestId($"drain-node-{id}")).ToHaveCountAsync(0);
            await Expect(Page.GetByTestId("appbar-summary")).ToContainTextAsync($"{primaries + 1} primaries");
            await Screenshots.SaveAsync(Page, "primary-added.png");

            var latest = (await api.GetJsonAsync("/api/audit?pageSize=1")).GetProperty("items")[0];
            Assert.Equal("ui node.add accepted", $"{latest.GetProperty("actor").GetString()} {latest.GetProperty("action").GetString()} {latest.GetProperty("outcome").GetString()}");
            Assert.Equal(endpoint, latest.GetProperty("detail").GetString());

            await card.GetByTestId($"remove-node-{id}").ClickAsync();
            await Expect(Page.GetByText($"Remove {endpoint} (an empty primary) from the cluster?")).ToBeVisibleAsync();
            await Page.GetByRole(AriaRole.Button, new() { Name = "Remove", Exact = true }).ClickAsync();

            await Expect(Page.GetByText($"Removing {endpoint}: done.")).ToBeVisibleAsync(new() { Timeout = Deadline });
            await Expect(Page.Locator("[data-testid^=\"node-card-\"]")).ToHaveCountAsync(primaries, new() { Timeout = Deadline });
            Assert.DoesNotContain((await NodesAsync(api)).Select(n => n.GetProperty("endpoint").GetString()), e => e == endpoint);
            latest = (await api.GetJsonAsync("/api/audit?pageSize=1")).GetProperty("items")[0];
            Assert.Equal($"ui node.remove {id} accepted", $"{latest.GetProperty("actor").GetString()} {latest.GetProperty("action").GetString()} {latest.GetProperty("subject").GetString()} {latest.GetProperty("outcome").GetString()}");
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            try
            {
                await RemoveAddedNodesAsync(api, before);
            }
            catch (Exception cleanup) when (failure is not null)
            {
                output.WriteLine($"Removing the added primary failed as well (the test's own failure is reported): {cleanup}");
            }
        }
    });

    private static async Task<List<JsonElement>> NodesAsync(HttpClient api) =>
        [.. (await api.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray()];

    /// <summary>
    /// Removes every node that was not in <paramref name="before"/> and is still there (the test failed before its own
    /// Remove) through the API's DELETE /api/nodes/{id}, the same removal as the card's.
    /// </summary>
    private static async Task RemoveAddedNodesAsync(HttpClient api, HashSet<string> before)
    {
        foreach (var id in (await NodesAsync(api)).Select(n => n.GetProperty("id").GetString()!).Where(id => !before.Contains(id)))
        {
            using var removed = await api.DeleteAsync(new Uri($"/api/nodes/{id}", UriKind.Relative));
            Assert.True(removed.IsSuccessStatusCode, $"removing {id} answered {(int)removed.StatusCode}: {await removed.Content.ReadAsStringAsync()}");
        }

        await Cluster.Concurrency.Wait.UntilAsync(
            async _ => (await NodesAsync(api)).All(n => before.Contains(n.GetProperty("id").GetString()!)),
            ClusterDeadline, "the dashboard to list the cluster without the added nodes", TimeSpan.FromMilliseconds(100));
    }
}
