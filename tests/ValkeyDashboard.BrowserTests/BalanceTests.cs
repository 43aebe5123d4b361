using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ValkeyDashboard.BrowserTests.Infrastructure;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Plans;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using ValkeyDashboard.Model.HeatMap;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests;

/// <summary>
/// Balance from the page on the real cluster: the preview hatches every moving slot in its future owner's colour
/// (checked in the canvas's pixels) while nothing moves; confirmed, the plan runs with its progress, pause and resume,
/// and a second browser sees it live and then the new owners on its map. The test restores the slot layout it found.
/// </summary>
[Collection(DashboardBrowserCollection.Name)]
public sealed class BalanceTests(DashboardBrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    private const float Deadline = 60_000;
    private static readonly TimeSpan DrawDeadline = TimeSpan.FromSeconds(30);

    /// <summary>Slots of the primary that owns slot 0 that the test gives another primary first, so there is something to balance.</summary>
    private const int Imbalance = 1_500;

    [Fact]
    public Task The_preview_hatches_future_owners_without_moving_anything_and_the_confirmed_plan_runs_live_in_a_second_browser() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var layout = await SlotLayout.ReadAsync(api);
        var primaries = await api.PrimariesAsync();
        var giver = primaries.Single(p => SlotRangeSet.Parse(p.Slots).Contains(0));
        var taker = primaries.First(p => p.Id != giver.Id);
        Exception? failure = null;
        try
        {
            var given = SlotRangeSet.FromSlots(SlotRangeSet.Parse(giver.Slots).Slots().Take(Imbalance));
            await MoveAsync(api, given, taker.Id);
            var unbalanced = await SlotLayout.ReadAsync(api);
            var map = new HeatMapPage(Page);
            var other = await (await NewContextAsync()).NewPageAsync();
            var otherMap = new HeatMapPage(other);
            await map.OpenAsync(primaries.Count, Deadline);
            await otherMap.OpenAsync(primaries.Count, Deadline);

            await Page.GetByTestId("balance-open").ClickAsync();
            await Page.GetByTestId("plan-metric-slots").ClickAsync();

            await Expect(Page.GetByTestId("plan-preview")).ToHaveAttributeAsync("data-metric", "slots", new() { Timeout = Deadline });
            await Expect(Page.GetByTestId("plan-preview-move-0")).ToBeVisibleAsync();
            var planned = await map.PlannedAsync();
            Assert.NotEmpty(planned);
            // 1,500 slots too many on the taker: what the plan moves, it moves from there, to the primaries below their share.
            Assert.All(planned, move => Assert.True(move.Slots.Except(unbalanced.Owners[taker.Id]).IsEmpty, $"{move.Slots} are not all the taker's"));
            Assert.InRange(planned.Sum(m => m.Slots.SlotCount), Imbalance * 2 / 3, Imbalance);

            // Each planned cell: hatched in its future owner's colour over its owner's colour; other cells as they were.
            var (slots, targetId) = planned[0];
            var sample = slots.Slots().Where((_, i) => i % 7 == 3).Take(24).ToList();
            var future = await map.OwnerColourAsync(targetId);
            var now = await map.OwnerColourAsync(taker.Id);
            var unmoved = unbalanced.Owners[taker.Id].Except(SlotRangeSet.FromSlots(planned.SelectMany(m => m.Slots.Slots()))).Slots().Take(24).ToList();
            (int Total, int[] InColour) hatched = default;
            await Cluster.Concurrency.Wait.UntilAsync(
                async _ =>
                {
                    hatched = await map.CellPixelsAsync(sample, [future, now]);
                    return hatched.InColour[0] >= hatched.Total * 0.3 && hatched.InColour[1] >= hatched.Total * 0.3;
                },
                DrawDeadline, $"slots {string.Join(',', sample)} to be hatched in {future} over {now} (last: {hatched.InColour?[0]} and {hatched.InColour?[1]} of {hatched.Total} pixels)",
                TimeSpan.FromMilliseconds(100));
            var plain = await map.CellPixelsAsync(unmoved, [future, now]);
            Assert.True(plain.InColour[0] == 0 && plain.InColour[1] == plain.Total, $"cells that stay are drawn in their owner's colour only: {plain.InColour[0]} future, {plain.InColour[1]} owner of {plain.Total}");
            await Expect(map.Canvas).ToHaveAttributeAsync(HeatMapContract.MovingAttributeName, string.Empty);
            // The preview is this operator's: the other browser's map hatches nothing, and nothing has moved.
            Assert.Empty(await otherMap.PlannedAsync());
            Assert.True(await unbalanced.IsCurrentAsync(api), "the preview moved nothing");
            await Page.Mouse.MoveAsync(0, 0);
            await Page.EvaluateAsync("() => window.scrollTo(0, 0)");
            await Screenshots.SaveAsync(Page, "plan-preview.png", fullPage: false);

            string id;
            await using (var valkey = await Fixture.Dashboard.ConnectToClusterAsync())
            await using (await MigrationHold.OnAsync(valkey.GetServer(taker.Endpoint)))
            {
                var before = PlanIds();
                await Page.GetByTestId("plan-confirm").ClickAsync();
                id = await NewPlanIdAsync(before);

                foreach (var page in new[] { Page, other })
                {
                    await Expect(page.GetByTestId($"plan-{id}")).ToHaveAttributeAsync("data-state", "running", new() { Timeout = Deadline });
                    await Expect(page.GetByTestId($"plan-progress-{id}")).ToBeVisibleAsync();
                    await Expect(page.GetByTestId($"plan-eta-{id}")).Not.ToBeEmptyAsync();
                }

                await Expect(Page.GetByTestId("plan-panel")).ToHaveCountAsync(0);
                await Screenshots.SaveAsync(Page, "plan-running.png", fullPage: false);
                // Held before its hand-over, the first move keeps the plan running while it is paused and resumed.
                await Page.GetByTestId($"plan-pause-{id}").ClickAsync();
                await Expect(other.GetByTestId($"plan-{id}")).ToHaveAttributeAsync("data-state", "paused", new() { Timeout = Deadline });
                await Page.GetByTestId($"plan-resume-{id}").ClickAsync();
                await Expect(other.GetByTestId($"plan-{id}")).ToHaveAttributeAsync("data-state", "running", new() { Timeout = Deadline });
            }

            foreach (var page in new[] { Page, other })
            {
                await Expect(page.GetByTestId($"plan-{id}")).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = Deadline });
                await Expect(page.GetByTestId($"plan-progress-{id}")).ToHaveAttributeAsync("data-progress", "100");
                await Expect(page.GetByTestId($"plan-history-{id}")).ToContainTextAsync("succeeded", new() { Timeout = Deadline });
            }

            // Every move is a migration of the history that names its plan.
            var plan = Fixture.Services.GetRequiredService<IPlanCommands>().Find(id)!;
            foreach (var move in plan.Moves)
            {
                await Expect(other.GetByTestId($"migration-history-plan-{move.MigrationId}")).ToBeVisibleAsync(new() { Timeout = Deadline });
            }

            // The second browser, which never reloaded, draws the moved cells in their new owner's colour.
            (int Total, int[] InColour) moved = default;
            await Cluster.Concurrency.Wait.UntilAsync(
                async _ =>
                {
                    moved = await otherMap.CellPixelsAsync(sample, [future]);
                    return moved.InColour[0] == moved.Total;
                },
                DrawDeadline, $"slots {string.Join(',', sample)} to be drawn in {future} in the second browser (last: {moved.InColour?[0]} of {moved.Total} pixels)",
                TimeSpan.FromMilliseconds(100));
            Assert.Empty(await otherMap.PlannedAsync());
            var balanced = await SlotLayout.ReadAsync(api);
            Assert.True(slots.Except(balanced.Owners[targetId]).IsEmpty, $"{targetId} owns {balanced.Owners[targetId]}, not all of {slots}");
            Assert.All(balanced.Owners.Values, owned => Assert.InRange(owned.SlotCount, 16_384.0 / 3 * 0.97, 16_384.0 / 3 * 1.03));
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
                await WaitForNoPlanAsync();
                await layout.RestoreAsync(api);
            }
            catch (Exception cleanup) when (failure is not null)
            {
                output.WriteLine($"Restoring the slot layout failed as well (the test's own failure is reported): {cleanup}");
            }
        }
    });

    private HashSet<string> PlanIds() => [.. Fixture.Services.GetRequiredService<IPlanCommands>().List(1, 1_000).Items.Select(p => p.Id)];

    /// <summary>The id of the plan the page just started (the one that was not there before).</summary>
    private async Task<string> NewPlanIdAsync(HashSet<string> before)
    {
        string? id = null;
        await Cluster.Concurrency.Wait.UntilAsync(_ => Task.FromResult((id = PlanIds().FirstOrDefault(i => !before.Contains(i))) is not null),
            TimeSpan.FromSeconds(30), "the page to start a plan", TimeSpan.FromMilliseconds(50));
        return id!;
    }

    /// <summary>A plan the test left running (it failed half-way) is cancelled and waited for, so the layout can be put back.</summary>
    private async Task WaitForNoPlanAsync()
    {
        var plans = Fixture.Services.GetRequiredService<IPlanCommands>();
        foreach (var plan in plans.Active)
        {
            if (!plan.CancelRequested)
            {
                await plans.CancelAsync(plan.Id, "test cleanup");
            }
        }

        await Cluster.Concurrency.Wait.UntilAsync(_ => Task.FromResult(plans.Active.Count == 0), TimeSpan.FromSeconds(60),
            "every plan to have ended", TimeSpan.FromMilliseconds(100));
    }

    private static async Task MoveAsync(HttpClient api, SlotRangeSet slots, string targetId)
    {
        using var response = await api.PostJsonAsync("/api/migrations", JsonSerializer.Serialize(new { slots = slots.ToString(), targetNodeId = targetId }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"moving {slots} answered {(int)response.StatusCode}: {body}");
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        var final = await api.WaitForMigrationAsync(id, m => m.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled", TimeSpan.FromSeconds(60));
        Assert.Equal("succeeded", final.GetProperty("state").GetString());
    }
}
