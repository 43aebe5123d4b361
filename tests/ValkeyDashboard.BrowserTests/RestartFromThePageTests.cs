using System.Text.Json;
using Microsoft.Playwright;
using ValkeyDashboard.BrowserTests.Infrastructure;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests;

/// <summary>
/// An operator restarts nodes from the page: one replica from its row, through the confirmation that says what happens,
/// comes back as a replica in a new process; a rolling restart (with fail back, so every shard keeps its primary) lists
/// its steps, shows its progress live and ends succeeded with every node in a new process. Each test leaves every node
/// running and the cluster ok.
/// </summary>
[Collection(DashboardBrowserCollection.Name)]
public sealed class RestartFromThePageTests(DashboardBrowserFixture fixture) : BrowserTest(fixture)
{
    private const float Deadline = 60_000;

    /// <summary>Six nodes one at a time, each primary through a failover and a failback: minutes on a busy machine.</summary>
    private const float RollingDeadline = 300_000;

    private sealed record NodeState(string Id, string Endpoint, string Role, string Health, int? Pid);

    private static async Task<IReadOnlyList<NodeState>> NodesAsync(HttpClient api) =>
        [.. (await api.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray().Select(n => new NodeState(
            n.GetProperty("id").GetString()!,
            n.GetProperty("endpoint").GetString()!,
            n.GetProperty("role").GetString()!,
            n.GetProperty("health").GetString()!,
            n.TryGetProperty("process", out var p) && p.ValueKind == JsonValueKind.Object && p.GetProperty("pid").ValueKind == JsonValueKind.Number ? p.GetProperty("pid").GetInt32() : null))];

    /// <summary>Puts back what a failed test may have left: no rolling restart running, every node started, the cluster ok.</summary>
    private static async Task RestoreAsync(HttpClient api)
    {
        var restarts = (await api.GetJsonAsync("/api/nodes/restarts?pageSize=5")).GetProperty("items").EnumerateArray()
            .Where(r => r.GetProperty("state").GetString() is "running" or "paused").Select(r => r.GetProperty("id").GetString()!).ToList();
        foreach (var id in restarts)
        {
            using var cancel = await api.PostAsync(new Uri($"/api/nodes/restarts/{id}/cancel", UriKind.Relative), null);
            using var finished = await api.GetAsync(new Uri($"/api/nodes/restarts/{id}?wait=120", UriKind.Relative));
        }

        foreach (var node in (await NodesAsync(api)).Where(n => n.Health != "online"))
        {
            using var start = await api.PostAsync(new Uri($"/api/nodes/{node.Id}/start", UriKind.Relative), null);
        }

        await Cluster.Concurrency.Wait.UntilAsync(
            async _ => (await NodesAsync(api)).All(n => n.Health == "online") &&
                (await api.GetJsonAsync("/api/cluster")).GetProperty("state").GetString() == "ok",
            TimeSpan.FromSeconds(120), "every node online and the cluster ok again", TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public Task A_replica_restarted_from_its_row_comes_back_as_a_replica_in_a_new_process_and_is_audited() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var primaries = await api.PrimariesAsync();
        var before = (await NodesAsync(api)).Where(n => n.Role == "replica").OrderBy(n => n.Endpoint, StringComparer.Ordinal).First();
        Assert.NotNull(before.Pid);
        var map = new HeatMapPage(Page);
        await map.OpenAsync(primaries.Count, Deadline);
        Exception? failure = null;
        try
        {
            await Page.GetByTestId($"node-restart-{before.Id}").ClickAsync();

            var dialog = Page.GetByTestId("restart-dialog");
            await Expect(dialog.GetByTestId("restart-plan")).ToContainTextAsync($"Restart replica {before.Endpoint} in place", new() { Timeout = Deadline });
            await Screenshots.SaveAsync(Page, "node-restart-dialog.png", fullPage: false);
            // MudBlazor puts the dialog's test id on its content, not on its actions.
            await Page.GetByTestId("restart-confirm").ClickAsync();

            await Expect(Page.Locator(".mud-snackbar", new() { HasTextString = $"Restarting {before.Endpoint}: done." })).ToBeVisibleAsync(new() { Timeout = Deadline });
            NodeState? after = null;
            await Cluster.Concurrency.Wait.UntilAsync(
                async _ =>
                {
                    after = (await NodesAsync(api)).Single(n => n.Id == before.Id);
                    return after is { Health: "online", Role: "replica", Pid: not null } && after.Pid != before.Pid;
                },
                TimeSpan.FromSeconds(30), $"replica {before.Endpoint} online as a replica in a new process (pid was {before.Pid})", TimeSpan.FromMilliseconds(100));
            await Expect(Page.GetByTestId($"node-row-{before.Id}").GetByTestId("health")).ToHaveTextAsync("online");
            await Expect(Page.GetByTestId($"node-activity-{before.Id}")).ToHaveCountAsync(0);

            var audit = (await api.GetJsonAsync("/api/audit?pageSize=200")).GetProperty("items").EnumerateArray()
                .Where(e => e.GetProperty("subject").GetString() == before.Id)
                .Select(e => $"{e.GetProperty("actor").GetString()} {e.GetProperty("action").GetString()} {e.GetProperty("outcome").GetString()}").ToList();
            Assert.Equal("ui node.restart accepted", audit[0]);
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            await TestCleanup.FinallyAsync(failure, () => RestoreAsync(api));
        }
    });

    [Fact]
    public Task A_rolling_restart_started_from_the_page_lists_its_steps_and_shows_its_progress_live_until_it_succeeded() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var primaries = await api.PrimariesAsync();
        var before = await NodesAsync(api);
        Assert.All(before, n => Assert.NotNull(n.Pid));
        var map = new HeatMapPage(Page);
        await map.OpenAsync(primaries.Count, Deadline);
        Exception? failure = null;
        try
        {
            await Page.GetByTestId("rolling-restart").ClickAsync();
            var dialog = Page.GetByTestId("rolling-restart-dialog");
            await Expect(dialog.Locator("[data-testid^='rolling-restart-step-']")).ToHaveCountAsync(before.Count, new() { Timeout = Deadline });

            // Fail back, so that every shard ends with the primary it had (the other tests of the collection count on it).
            await dialog.GetByText("Fail back: each primary takes its shard back").ClickAsync();
            await Expect(dialog.Locator("[data-testid='rolling-restart-step-3']")).ToContainTextAsync("fail back", new() { Timeout = Deadline });
            // Replicas first, in endpoint order, then each primary through a failover to its replica.
            var replicas = before.Where(n => n.Role == "replica").OrderBy(n => n.Endpoint, StringComparer.Ordinal).ToList();
            var primariesInOrder = before.Where(n => n.Role == "primary").OrderBy(n => n.Endpoint, StringComparer.Ordinal).ToList();
            var order = replicas.Concat(primariesInOrder).ToList();
            for (var i = 0; i < order.Count; i++)
            {
                var row = dialog.GetByTestId($"rolling-restart-step-{i}");
                await Expect(row).ToHaveAttributeAsync("data-node", order[i].Id);
                await Expect(row).ToContainTextAsync(order[i].Role);
            }

            await Expect(dialog.GetByTestId($"rolling-restart-step-{replicas.Count}")).ToContainTextAsync("over to its in-sync replica");
            await Screenshots.SaveAsync(Page, "rolling-restart-dialog.png", fullPage: false);
            await Page.GetByTestId("rolling-restart-start").ClickAsync();

            var panel = Page.GetByTestId("rolling-restart-panel");
            await Expect(panel).ToBeVisibleAsync(new() { Timeout = Deadline });
            await Expect(panel.GetByTestId("rolling-restart-pause")).ToBeVisibleAsync();
            // Live: some node's step reports what it is doing while it runs.
            await Expect(panel.Locator("li[data-state='running']")).ToHaveCountAsync(1, new() { Timeout = Deadline });
            await Screenshots.SaveAsync(Page, "rolling-restart-running.png", fullPage: false);
            await Expect(panel).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = RollingDeadline });
            await Expect(panel.GetByTestId("rolling-restart-progress")).ToHaveAttributeAsync("data-progress", "100");
            await Expect(panel.Locator("li[data-state='succeeded']")).ToHaveCountAsync(before.Count);
            await Expect(panel.GetByTestId("rolling-restart-dismiss")).ToBeVisibleAsync();

            IReadOnlyList<NodeState> after = [];
            await Cluster.Concurrency.Wait.UntilAsync(
                async _ => (after = await NodesAsync(api)).All(n => n.Health == "online"),
                TimeSpan.FromSeconds(30), "every node online after the rolling restart", TimeSpan.FromMilliseconds(100));
            foreach (var node in before)
            {
                var now = after.Single(n => n.Id == node.Id);
                Assert.True(now.Pid != node.Pid, $"{node.Endpoint} still runs pid {node.Pid}: it was not restarted");
                Assert.Equal(node.Role, now.Role);
            }

            Assert.Equal(primaries, await api.PrimariesAsync());
            Assert.Equal("ok", (await api.GetJsonAsync("/api/cluster")).GetProperty("state").GetString());

            await panel.GetByTestId("rolling-restart-dismiss").ClickAsync();
            await Expect(panel).ToHaveCountAsync(0);
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            await TestCleanup.FinallyAsync(failure, () => RestoreAsync(api));
        }
    });
}
