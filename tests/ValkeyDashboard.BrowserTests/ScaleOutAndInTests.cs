using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ValkeyDashboard.BrowserTests.Infrastructure;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Plans;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests;

/// <summary>
/// Scale out and in from the cards on the real embedded cluster: a new, empty primary offers "Rebalance onto it", the
/// rebalance gives it its share; Drain on its card empties it again (previewed first); once it holds no slots Remove
/// takes it out of the cluster. The test leaves three primaries with the slot layout it found.
/// </summary>
[Collection(DashboardBrowserCollection.Name)]
public sealed class ScaleOutAndInTests(DashboardBrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    private const float Deadline = 90_000;
    private static readonly TimeSpan ClusterDeadline = TimeSpan.FromSeconds(90);

    [Fact]
    public Task A_new_primary_gets_its_share_through_Rebalance_onto_it_then_is_drained_and_removed_from_its_card() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var layout = await SlotLayout.ReadAsync(api);
        var primaries = layout.Owners.Count;
        string? added = null;
        Exception? failure = null;
        try
        {
            added = await AddPrimaryAsync(api);
            var map = new HeatMapPage(Page);
            await map.OpenAsync(primaries + 1, Deadline);

            // Scale out: the empty primary's card offers the rebalance, in which it takes its share.
            await Page.GetByTestId($"rebalance-onto-{added}").ClickAsync();
            await Page.GetByTestId("plan-metric-slots").ClickAsync();
            await Expect(Page.GetByTestId("plan-preview")).ToHaveAttributeAsync("data-metric", "slots", new() { Timeout = Deadline });
            var onto = await map.PlannedAsync();
            Assert.NotEmpty(onto);
            Assert.All(onto, move => Assert.Equal(added, move.TargetId));
            var outId = await StartAndFinishAsync();
            var share = SlotRangeSet.Parse((await api.PrimariesAsync()).Single(p => p.Id == added).Slots);
            Assert.InRange(share.SlotCount, 16_384.0 / (primaries + 1) * 0.97, 16_384.0 / (primaries + 1) * 1.03);
            await Expect(map.Card(added).GetByTestId($"empty-primary-{added}")).ToHaveCountAsync(0, new() { Timeout = Deadline });

            // Scale in: Drain on its card, previewed on the map first: every move leaves it.
            await Page.GetByTestId($"drain-node-{added}").ClickAsync();
            await Expect(Page.GetByTestId("plan-title")).ToContainTextAsync("Drain");
            await Page.GetByTestId("plan-metric-slots").ClickAsync();
            await Expect(Page.GetByTestId("plan-preview")).ToHaveAttributeAsync("data-metric", "slots", new() { Timeout = Deadline });
            await Expect(Page.GetByTestId("plan-preview-move-0")).ToHaveAttributeAsync("data-source", added);
            var drain = await map.PlannedAsync();
            Assert.Equal(share, SlotRangeSet.FromSlots(drain.SelectMany(m => m.Slots.Slots())));
            Assert.All(drain, move => Assert.NotEqual(added, move.TargetId));
            await Screenshots.SaveAsync(Page, "drain-preview.png", fullPage: false);
            var inId = await StartAndFinishAsync();
            var drained = (await NodesAsync(api)).Single(n => n.GetProperty("id").GetString() == added);
            var endpoint = drained.GetProperty("endpoint").GetString();
            Assert.True(drained.GetProperty("role").GetString() == "replica" || drained.GetProperty("slots").GetArrayLength() == 0, $"drained: {drained}");

            // Empty now (Valkey has usually made it a replica of a primary that took its slots): Remove, after confirming.
            await Page.GetByTestId($"remove-node-{added}").ClickAsync(new() { Timeout = Deadline });
            await Page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Remove", Exact = true }).ClickAsync();
            await Expect(Page.GetByText($"Removing {endpoint}: done.")).ToBeVisibleAsync(new() { Timeout = Deadline });
            await Expect(Page.GetByTestId($"node-row-{added}")).ToHaveCountAsync(0, new() { Timeout = Deadline });
            await Expect(Page.Locator("[data-testid^=\"node-card-\"]")).ToHaveCountAsync(primaries);
            Assert.DoesNotContain((await NodesAsync(api)).Select(n => n.GetProperty("id").GetString()), id => id == added);
            var audit = (await api.GetJsonAsync("/api/audit?pageSize=10")).GetProperty("items").EnumerateArray()
                .Select(e => $"{e.GetProperty("actor").GetString()} {e.GetProperty("action").GetString()} {e.GetProperty("subject").GetString()} {e.GetProperty("outcome").GetString()}").ToList();
            Assert.Contains($"ui node.remove {added} accepted", audit);
            output.WriteLine($"plans {outId} (scale out) and {inId} (drain); audit: {string.Join(" | ", audit)}");
            added = null;
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
                await CleanUpAsync(api, layout, added);
            }
            catch (Exception cleanup) when (failure is not null)
            {
                output.WriteLine($"Cleaning up failed as well (the test's own failure is reported): {cleanup}");
            }
        }
    });

    /// <summary>Starts the plan the panel shows and waits on the page until it has succeeded; returns its id.</summary>
    private async Task<string> StartAndFinishAsync()
    {
        var plans = Fixture.Services.GetRequiredService<IPlanCommands>();
        var before = plans.List(1, 1_000).Items.Select(p => p.Id).ToHashSet();
        await Page.GetByTestId("plan-confirm").ClickAsync();
        string? id = null;
        await Cluster.Concurrency.Wait.UntilAsync(_ => Task.FromResult((id = plans.List(1, 1_000).Items.Select(p => p.Id).FirstOrDefault(i => !before.Contains(i))) is not null),
            TimeSpan.FromSeconds(30), "the page to start a plan", TimeSpan.FromMilliseconds(50));
        await Expect(Page.GetByTestId($"plan-progress-{id}")).ToBeVisibleAsync(new() { Timeout = Deadline });
        await Expect(Page.GetByTestId($"plan-{id}")).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = Deadline });
        return id!;
    }

    /// <summary>Adds an empty primary through the API (the page's Add primary has a test of its own) and waits until it is online; returns its id.</summary>
    private static async Task<string> AddPrimaryAsync(HttpClient api)
    {
        using var response = await api.PostJsonAsync("/api/nodes", """{"role": "primary"}""");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"adding a primary answered {(int)response.StatusCode}: {body}");
        var endpoint = JsonDocument.Parse(body).RootElement.GetProperty("endpoint").GetString()!;
        string? id = null;
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ => (id = (await NodesAsync(api)).FirstOrDefault(n => n.GetProperty("endpoint").GetString() == endpoint && n.GetProperty("health").GetString() == "online")
                is { ValueKind: JsonValueKind.Object } node ? node.GetProperty("id").GetString() : null) is not null,
            ClusterDeadline, $"the new primary {endpoint} to be online", TimeSpan.FromMilliseconds(100));
        return id!;
    }

    private static async Task<List<JsonElement>> NodesAsync(HttpClient api) =>
        [.. (await api.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray()];

    /// <summary>
    /// Whatever the test got to: a plan still running is cancelled, the slots go back where they were, and a node the
    /// test added and did not remove is removed through the API (the same Remove as the card's).
    /// </summary>
    private async Task CleanUpAsync(HttpClient api, SlotLayout layout, string? added)
    {
        var plans = Fixture.Services.GetRequiredService<IPlanCommands>();
        foreach (var plan in plans.Active.Where(p => !p.CancelRequested))
        {
            await plans.CancelAsync(plan.Id, "test cleanup");
        }

        await Cluster.Concurrency.Wait.UntilAsync(_ => Task.FromResult(plans.Active.Count == 0), ClusterDeadline, "every plan to have ended", TimeSpan.FromMilliseconds(100));
        await layout.RestoreAsync(api);
        if (added is not null && (await NodesAsync(api)).Any(n => n.GetProperty("id").GetString() == added))
        {
            using var removed = await api.DeleteAsync(new Uri($"/api/nodes/{added}", UriKind.Relative));
            Assert.True(removed.IsSuccessStatusCode, $"removing {added} answered {(int)removed.StatusCode}: {await removed.Content.ReadAsStringAsync()}");
        }
    }
}
