using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Playwright;
using ValkeyDashboard.BrowserTests.Infrastructure;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ValkeyDashboard.BrowserTests.SignIn;

/// <summary>
/// A browser signed in with a viewer's API token sees the whole cluster and nothing to change it with (no drop targets, no
/// Cancel, no node buttons), and the server refuses what its page could send anyway. Each check is made against an
/// operator's page too, so it cannot pass merely because the controls are missing for everyone.
/// </summary>
[Collection(SignInBrowserCollection.Name)]
public sealed class ViewerPageTests(SignInBrowserFixture fixture) : BrowserTest(fixture)
{
    private const float Deadline = 60_000;
    private static readonly TimeSpan ApiDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public Task A_viewer_sees_every_primary_but_no_node_buttons() => ScreenshotOnFailureAsync(async () =>
    {
        var @operator = await OperatorPageAsync();
        await Expect(@operator.Locator("[data-testid^=\"node-stop-\"]")).ToHaveCountAsync(3);

        await SignInAsViewerAsync();

        await Expect(Page.Locator("[data-testid^=\"node-stop-\"]")).ToHaveCountAsync(0);
        await Expect(Page.Locator("[data-testid^=\"node-start-\"]")).ToHaveCountAsync(0);
        await Expect(Page.Locator("[data-testid^=\"add-replica-\"]")).ToHaveCountAsync(0);
        await Expect(Page.GetByTestId("add-primary")).ToHaveCountAsync(0);
    });

    [Fact]
    public Task A_viewer_has_no_drop_targets_and_a_selection_dropped_on_a_node_opens_no_move_dialog() => ScreenshotOnFailureAsync(async () =>
    {
        var @operator = await OperatorPageAsync();
        await Expect(@operator.Locator("[data-drop-node]")).ToHaveCountAsync(3);
        var primaries = await Api().PrimariesAsync();
        var source = primaries.Single(p => SlotRangeSet.Parse(p.Slots).Contains(0));
        var target = primaries.First(p => p.Id != source.Id);
        var historyBefore = (await Api().GetJsonAsync("/api/migrations")).GetProperty("total").GetInt32();
        var map = await SignInAsViewerAsync();

        await Expect(Page.Locator("[data-drop-node]")).ToHaveCountAsync(0);
        await Expect(Page.Locator("[data-slot-range]")).ToHaveCountAsync(0);
        await map.DragSelectAsync(0, 9);
        await Expect(map.Canvas).ToHaveAttributeAsync("data-selection", "0-9");
        await Expect(Page.GetByText("Your role may look but not move slots.")).ToBeVisibleAsync();
        await map.DropSelectionOnAsync(5, target.Id);

        await Expect(Page.GetByTestId("move-selection")).ToBeDisabledAsync();
        await Expect(Page.GetByTestId("confirm-migration")).ToHaveCountAsync(0);
        Assert.Equal(historyBefore, (await Api().GetJsonAsync("/api/migrations")).GetProperty("total").GetInt32());
    });

    [Fact]
    public Task A_viewer_sees_a_running_migration_and_its_progress_but_cannot_cancel_it() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Api();
        var primaries = await api.PrimariesAsync();
        var source = primaries.Single(p => SlotRangeSet.Parse(p.Slots).Contains(300));
        var target = primaries.First(p => p.Id != source.Id);
        var @operator = await OperatorPageAsync();
        await SignInAsViewerAsync();
        await using var valkey = await Fixture.Dashboard.ConnectToClusterAsync();

        await TestCleanup.RunAsync(
            async () =>
            {
                await using var hold = await MigrationHold.OnAsync(valkey.GetServer(source.Endpoint));
                using var started = await api.PostJsonAsync("/api/migrations", $$"""{"slots": "300-309", "targetNodeId": "{{target.Id}}"}""");
                Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
                var id = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

                await Expect(Page.GetByTestId($"migration-{id}")).ToHaveAttributeAsync("data-state", "running", new() { Timeout = Deadline });
                await Expect(Page.GetByTestId($"migration-progress-{id}")).ToBeVisibleAsync();
                await Expect(@operator.GetByTestId($"cancel-migration-{id}")).ToBeEnabledAsync(new() { Timeout = Deadline });
                await Expect(Page.GetByTestId($"cancel-migration-{id}")).ToBeDisabledAsync();
            },
            () => MoveBackAsync(api, "300-309", source.Id));
    });

    [Theory]
    [InlineData("/api/migrations", """{"slots": "0-9", "targetNodeId": "{target}"}""")]
    [InlineData("/api/migrations/{migration}/cancel", "{}")]
    [InlineData("/api/nodes/{target}/stop", "{}")]
    [InlineData("/api/nodes", """{"role": "primary"}""")]
    public Task The_server_refuses_a_change_sent_from_a_viewers_page_as_the_API_takes_no_sign_in_cookie(string path, string body) => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Api();
        var primaries = await api.PrimariesAsync();
        var target = primaries.First(p => !SlotRangeSet.Parse(p.Slots).Contains(0));
        var migration = (await api.GetJsonAsync("/api/migrations?pageSize=1")).GetProperty("items").EnumerateArray().Select(m => m.GetProperty("id").GetString()).FirstOrDefault() ?? "0123456789abcdef";
        var nodesBefore = (await api.GetJsonAsync("/api/cluster")).GetProperty("nodes").GetArrayLength();
        await SignInAsViewerAsync();
        var request = (Path: path.Replace("{target}", target.Id, StringComparison.Ordinal).Replace("{migration}", migration, StringComparison.Ordinal),
            Body: body.Replace("{target}", target.Id, StringComparison.Ordinal));

        // Sent by the page itself, with its sign-in cookie, as a script on it could.
        var answer = await Page.EvaluateAsync<string>(
            """
            async ([path, body]) => {
                const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
                const problem = await response.json();
                return `${response.status} ${problem.detail}`;
            }
            """, new[] { request.Path, request.Body });

        // The page is Blazor Server and never calls the API; the API takes bearer tokens only, so a script on the page gets nowhere.
        Assert.StartsWith("401 sign in first: send Authorization: Bearer <token>", answer, StringComparison.Ordinal);
        Assert.Equal(primaries, await api.PrimariesAsync());
        Assert.Equal(nodesBefore, (await api.GetJsonAsync("/api/cluster")).GetProperty("nodes").GetArrayLength());
    });

    /// <summary>Signs <see cref="BrowserTest.Page"/> in with the viewer's API token and opens the dashboard.</summary>
    private async Task<HeatMapPage> SignInAsViewerAsync()
    {
        await Page.GotoAsync(SignInBrowserFixture.LinkWith(SignInBrowserFixture.ViewerToken));
        await Expect(Page).ToHaveURLAsync(Fixture.BaseUrl.ToString());
        var map = new HeatMapPage(Page);
        await map.OpenAsync(3, Deadline);
        return map;
    }

    /// <summary>An operator's page beside the viewer's (another browser context, signed in with the console link).</summary>
    private async Task<IPage> OperatorPageAsync()
    {
        var page = await (await NewContextAsync()).NewPageAsync();
        await page.GotoAsync(fixture.ConsoleLink);
        await new HeatMapPage(page).OpenAsync(3, Deadline);
        return page;
    }

    /// <summary>The API as the operator token's script ("ci").</summary>
    private HttpClient Api()
    {
        var api = Fixture.Dashboard.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SignInBrowserFixture.OperatorToken);
        return api;
    }

    /// <summary>Waits for the test's migrations to end, then moves <paramref name="slots"/> back to <paramref name="ownerId"/> unless it has them.</summary>
    private static async Task MoveBackAsync(HttpClient api, string slots, string ownerId)
    {
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ => (await api.GetJsonAsync("/api/migrations?pageSize=200")).GetProperty("items").EnumerateArray().All(m => m.GetProperty("state").GetString() != "running"),
            ApiDeadline, "the test's migration to end", TimeSpan.FromMilliseconds(100));
        var owner = (await api.PrimariesAsync()).Single(p => p.Id == ownerId);
        if (SlotRangeSet.Parse(slots).Except(SlotRangeSet.Parse(owner.Slots)).IsEmpty)
        {
            return;
        }

        using var response = await api.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slots}}", "targetNodeId": "{{ownerId}}"}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var final = await api.WaitForMigrationAsync(id, m => m.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled", ApiDeadline);
        Assert.Equal("succeeded", final.GetProperty("state").GetString());
    }
}
