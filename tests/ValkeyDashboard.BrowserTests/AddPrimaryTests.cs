using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using StackExchange.Redis;
using ValkeyDashboard.BrowserTests.Infrastructure;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests;

/// <summary>
/// An operator adds a primary from the page: the embedded cluster gets a new, empty primary, which appears with a card
/// of its own and is audited. Afterwards the test takes it out of the cluster again (stopped through the embedded
/// host, forgotten by every other node), so the shared cluster has its three primaries for the tests after it.
/// </summary>
[Collection(DashboardBrowserCollection.Name)]
public sealed class AddPrimaryTests(DashboardBrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    private const float Deadline = 60_000;
    private static readonly TimeSpan ClusterDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public Task Add_primary_on_the_page_adds_an_empty_primary_with_a_card_of_its_own() => ScreenshotOnFailureAsync(async () =>
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
            // An operator can move slots onto it like onto any other primary.
            await Expect(card).ToHaveAttributeAsync("data-drop-node", id);
            await Expect(Page.GetByTestId("appbar-summary")).ToContainTextAsync($"{primaries + 1} primaries");
            await Screenshots.SaveAsync(Page, "primary-added.png");

            var latest = (await api.GetJsonAsync("/api/audit?pageSize=1")).GetProperty("items")[0];
            Assert.Equal("ui node.add accepted", $"{latest.GetProperty("actor").GetString()} {latest.GetProperty("action").GetString()} {latest.GetProperty("outcome").GetString()}");
            Assert.Equal(endpoint, latest.GetProperty("detail").GetString());
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
    /// Takes every node that was not in <paramref name="before"/> out of the cluster: stops it through the embedded
    /// host's test hook, then has every other node forget it (all within CLUSTER FORGET's one-minute ban, so none
    /// learns it back from another), and waits until no node and not the dashboard lists it.
    /// </summary>
    private async Task RemoveAddedNodesAsync(HttpClient api, HashSet<string> before)
    {
        var added = (await NodesAsync(api)).Where(n => !before.Contains(n.GetProperty("id").GetString()!))
            .Select(n => (Id: n.GetProperty("id").GetString()!, Endpoint: n.GetProperty("endpoint").GetString()!))
            .ToList();
        if (added.Count == 0)
        {
            return;
        }

        var host = Fixture.Services.GetRequiredService<LocalClusterHost>();
        foreach (var (_, endpoint) in added)
        {
            await host.StopNodeAsync(int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture));
        }

        await using var valkey = await Fixture.Dashboard.ConnectToClusterAsync();
        var others = (await NodesAsync(api)).Select(n => n.GetProperty("endpoint").GetString()!).Where(e => added.All(a => a.Endpoint != e)).ToList();
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ =>
            {
                var known = 0;
                foreach (var endpoint in others)
                {
                    var server = valkey.GetServer(endpoint);
                    var nodes = (string)(await server.ExecuteAsync("CLUSTER", "NODES"))!;
                    foreach (var (id, _) in added.Where(a => nodes.Contains(a.Id, StringComparison.Ordinal)))
                    {
                        known++;
                        await server.ExecuteAsync("CLUSTER", "FORGET", id);
                    }
                }

                return known == 0;
            },
            ClusterDeadline, $"every node to forget {string.Join(", ", added.Select(a => a.Endpoint))}", TimeSpan.FromMilliseconds(200));
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ => (await NodesAsync(api)).All(n => added.All(a => a.Id != n.GetProperty("id").GetString())),
            ClusterDeadline, "the dashboard to list the cluster without the added nodes", TimeSpan.FromMilliseconds(100));
    }
}
