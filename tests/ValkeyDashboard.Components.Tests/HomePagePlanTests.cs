using System.Text.Json;
using Bunit;
using Microsoft.AspNetCore.Components.Web;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Plans;
using ValkeyDashboard.Components.Controls;
using ValkeyDashboard.Components.Pages;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// Plans on the home page: Balance and Drain open the plan beside the map, which hatches the moves before anything
/// moves; a started (or any running) plan shows its progress live with Pause, Resume and Cancel and its pending moves on
/// the map; a finished one goes to the history with its migrations; viewers see all of it without the controls.
/// </summary>
public class HomePagePlanTests : DashboardTestContext
{
    private readonly BunitJSModuleInterop _module;

    public HomePagePlanTests() => _module = JSInterop.SetupModule(SlotHeatMap.ModulePath);

    private async Task<IRenderedComponent<Home>> RenderFollowingAsync()
    {
        await PublishAndWaitForHeatMapAsync(TestSnapshots.Ok());
        var cut = Render<Home>();
        await cut.WaitForAssertionAsync(() => Assert.Equal(3, cut.FindAll("[data-testid^='node-card-']").Count));
        await WaitUntilAsync(() => Plans.SubscriberCount == 1, "the page to follow the plans");
        return cut;
    }

    /// <summary>The planned moves of the latest view the map was given, as "slots>target".</summary>
    private List<string> PlannedOnTheMap()
    {
        var latest = _module.Invocations["setView"].Count > 0 ? _module.Invocations["setView"][^1].Arguments[1] : _module.Invocations["initialize"][^1].Arguments[4];
        return [.. JsonSerializer.SerializeToElement(latest).GetProperty("planned").EnumerateArray().Select(p => $"{p.GetProperty("slots").GetString()}>{p.GetProperty("target").GetString()}")];
    }

    private static readonly string[] PreviewOnTheMap =
    [
        $"5461-5560>{TestSnapshots.PrimaryIds[0]}",
        $"10922-11021>{TestSnapshots.PrimaryIds[0]}",
    ];

    [Fact]
    public async Task Balance_opens_the_plan_beside_the_map_which_hatches_the_previewed_moves_until_it_is_closed()
    {
        Plans.Preview = TestPlans.Preview();
        var cut = await RenderFollowingAsync();
        Assert.Empty(PlannedOnTheMap());

        await cut.Find("[data-testid='balance-open']").ClickAsync(new MouseEventArgs());

        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='plan-preview-move-1']")));
        // The panel is part of the page, beside the map, not a dialog over it.
        Assert.Empty(Dialogs.FindAll("[data-testid='plan-panel']"));
        Assert.Equal(PlanKind.Rebalance, Assert.Single(Plans.Previews).Kind);
        // The cluster holds keys, so the plan balances keys unless the operator chooses otherwise.
        Assert.Equal(PlanMetric.Keys, Plans.Previews[0].Metric);
        await WaitUntilAsync(() => PlannedOnTheMap().SequenceEqual(PreviewOnTheMap), "the map to hatch the previewed moves");
        Assert.Empty(Migrations.Starts);

        await cut.Find("[data-testid='plan-close']").ClickAsync(new MouseEventArgs());

        await WaitUntilAsync(() => PlannedOnTheMap().Count == 0, "the map to drop the hatching");
        Assert.Empty(cut.FindAll("[data-testid='plan-panel']"));
        Assert.Empty(Plans.Starts);
    }

    [Fact]
    public async Task A_started_plan_shows_its_progress_and_the_map_hatches_the_moves_not_started_yet()
    {
        Plans.Preview = TestPlans.Preview();
        Plans.NextId = "p-1";
        var cut = await RenderFollowingAsync();
        await cut.Find("[data-testid='balance-open']").ClickAsync(new MouseEventArgs());
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='plan-preview-move-1']")));

        await cut.Find("[data-testid='plan-confirm']").ClickAsync(new MouseEventArgs());

        await cut.WaitForAssertionAsync(() => Assert.Equal("running", cut.Find("[data-testid='plan-p-1']").GetAttribute("data-state")));
        Assert.Empty(cut.FindAll("[data-testid='plan-panel']"));
        Assert.Contains("Plan p-1 started: 2 move(s), 3,234 keys.", Snackbars.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("The cluster changed since the preview", Snackbars.Markup, StringComparison.Ordinal);
        Assert.True(cut.Find("[data-testid='balance-open']").HasAttribute("disabled"));
        await WaitUntilAsync(() => PlannedOnTheMap().SequenceEqual(PreviewOnTheMap), "the map to hatch the plan's pending moves");

        Plans.Publish(TestPlans.Progressing(TestPlans.Running("p-1") with { RequestedBy = "tester" }));

        await cut.WaitForAssertionAsync(() => Assert.Equal("about 12.5 s left", cut.Find("[data-testid='plan-eta-p-1']").Text()));
        Assert.Equal("19", cut.Find("[data-testid='plan-progress-p-1']").GetAttribute("data-progress"));
        Assert.Equal("running", cut.Find("[data-testid='plan-move-p-1-0']").GetAttribute("data-state"));
        Assert.Contains("617 / 1,234 keys · migration m-p-1-0", cut.Find("[data-testid='plan-move-p-1-0']").Text(), StringComparison.Ordinal);
        // The running move is striped as a migration; only the pending one stays hatched.
        await WaitUntilAsync(() => PlannedOnTheMap().SequenceEqual([PreviewOnTheMap[1]]), "the map to hatch only the pending move");
    }

    [Fact]
    public async Task When_the_started_plan_differs_from_the_preview_the_page_says_so()
    {
        Plans.Preview = TestPlans.Preview();
        var cut = await RenderFollowingAsync();
        await cut.Find("[data-testid='balance-open']").ClickAsync(new MouseEventArgs());
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='plan-preview-move-1']")));
        // Meanwhile the cluster changed: computed again on start, the plan makes one move.
        Plans.Preview = TestPlans.Preview(moves: [TestPlans.Move(1, 0, "5461-5660", 2_000, 200_000)]);

        await cut.Find("[data-testid='plan-confirm']").ClickAsync(new MouseEventArgs());

        await Snackbars.WaitForAssertionAsync(() => Assert.Contains("The cluster changed since the preview", Snackbars.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_plan_started_elsewhere_shows_live_and_when_it_ends_goes_to_the_history_with_its_migrations()
    {
        var cut = await RenderFollowingAsync();
        // Started 30 s ago: once it ends, it stays shown with its outcome (for two minutes) as well as in the history.
        var started = DateTimeOffset.UtcNow.AddSeconds(-30);
        var plan = TestPlans.Running("p-2") with { CreatedAt = started, StartedAt = started };

        Plans.Publish(plan);
        await cut.WaitForAssertionAsync(() => Assert.Equal("time left: measuring", cut.Find("[data-testid='plan-eta-p-2']").Text()));
        Plans.Publish(TestPlans.Succeeded(plan, TimeSpan.FromSeconds(30)) with { FinishedAt = started.AddSeconds(30) });

        await cut.WaitForAssertionAsync(() => Assert.Equal("succeeded", cut.Find("[data-testid='plan-p-2']").GetAttribute("data-state")));
        Assert.Equal("100", cut.Find("[data-testid='plan-progress-p-2']").GetAttribute("data-progress"));
        Assert.Equal("took 30.0 s", cut.Find("[data-testid='plan-eta-p-2']").Text());
        Assert.Equal("m-p-2-0", cut.Find("[data-testid='plan-history-move-p-2-0']").GetAttribute("data-migration"));
        Assert.Equal("m-p-2-1", cut.Find("[data-testid='plan-history-move-p-2-1']").GetAttribute("data-migration"));
        Assert.Contains("Rebalance by slots", cut.Find("[data-testid='plan-history-p-2']").Text(), StringComparison.Ordinal);
        Assert.False(cut.Find("[data-testid='balance-open']").HasAttribute("disabled"));

        await cut.Find("[data-testid='plan-dismiss-p-2']").ClickAsync(new MouseEventArgs());
        Assert.Empty(cut.FindAll("[data-testid='plan-p-2']"));
        Assert.NotNull(cut.Find("[data-testid='plan-history-p-2']"));
    }

    [Fact]
    public async Task Pause_Resume_and_Cancel_go_to_the_plan_service_as_the_signed_in_user()
    {
        var cut = await RenderFollowingAsync();
        Plans.Publish(TestPlans.Running("p-3"));
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='plan-pause-p-3']")));

        await cut.Find("[data-testid='plan-pause-p-3']").ClickAsync(new MouseEventArgs());
        await cut.WaitForAssertionAsync(() => Assert.Equal("paused", cut.Find("[data-testid='plan-p-3']").GetAttribute("data-state")));
        Assert.Equal("paused", cut.Find("[data-testid='plan-eta-p-3']").Text());
        Assert.Empty(cut.FindAll("[data-testid='plan-pause-p-3']"));
        await cut.Find("[data-testid='plan-resume-p-3']").ClickAsync(new MouseEventArgs());
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='plan-pause-p-3']")));
        await cut.Find("[data-testid='plan-cancel-p-3']").ClickAsync(new MouseEventArgs());

        await cut.WaitForAssertionAsync(() => Assert.Equal("cancelling", cut.Find("[data-testid='plan-p-3'] [data-testid='plan-state']").Text()));
        Assert.Equal(["pause p-3 by tester", "resume p-3 by tester", "cancel p-3 by tester"], Plans.Changes);
        Assert.True(cut.Find("[data-testid='plan-cancel-p-3']").HasAttribute("disabled"));
    }

    [Fact]
    public async Task A_refused_pause_says_why()
    {
        Plans.ChangeError = RequestRefusedException.Conflict("plan p-4 is succeeded; only a running plan can be paused");
        var cut = await RenderFollowingAsync();
        Plans.Publish(TestPlans.Running("p-4"));
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='plan-pause-p-4']")));

        await cut.Find("[data-testid='plan-pause-p-4']").ClickAsync(new MouseEventArgs());

        await Snackbars.WaitForAssertionAsync(() => Assert.Contains("Cannot pause plan p-4: plan p-4 is succeeded; only a running plan can be paused", Snackbars.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Drain_on_a_card_opens_the_drain_of_that_primary_beside_the_map()
    {
        Plans.Preview = TestPlans.Preview(kind: PlanKind.Drain);
        var cut = await RenderFollowingAsync();

        await cut.Find($"[data-testid='drain-node-{TestSnapshots.PrimaryIds[2]}']").ClickAsync(new MouseEventArgs());

        await cut.WaitForAssertionAsync(() => Assert.Equal("Drain 127.0.0.1:7002", cut.Find("[data-testid='plan-title']").Text()));
        var request = Assert.Single(Plans.Previews);
        Assert.Equal((PlanKind.Drain, TestSnapshots.PrimaryIds[2]), (request.Kind, Assert.Single(request.NodeIds)));
        await WaitUntilAsync(() => PlannedOnTheMap().Count == 2, "the map to hatch the drain's moves");
    }

    [Fact]
    public async Task Rebalance_onto_an_empty_primary_opens_a_rebalance_in_which_it_takes_part()
    {
        Plans.Preview = TestPlans.Preview();
        await PublishAndWaitForHeatMapAsync(TestSnapshots.WithEmptyPrimary());
        var cut = Render<Home>();
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find($"[data-testid='rebalance-onto-{TestSnapshots.EmptyPrimaryId}']")));

        await cut.Find($"[data-testid='rebalance-onto-{TestSnapshots.EmptyPrimaryId}']").ClickAsync(new MouseEventArgs());

        await cut.WaitForAssertionAsync(() => Assert.Equal("Balance the cluster", cut.Find("[data-testid='plan-title']").Text()));
        Assert.Equal(PlanKind.Rebalance, Assert.Single(Plans.Previews).Kind);
    }

    [Fact]
    public async Task A_viewer_follows_the_plan_without_Balance_Drain_Pause_or_Cancel()
    {
        Authorization.SetRoles("viewer");
        var cut = await RenderFollowingAsync();

        Plans.Publish(TestPlans.Progressing(TestPlans.Running("p-5")));

        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='plan-progress-p-5']")));
        Assert.Empty(cut.FindAll("[data-testid='balance-open'], [data-testid^='drain-node-'], [data-testid^='plan-pause-'], [data-testid^='plan-cancel-'], [data-testid^='plan-resume-']"));
    }

    [Fact]
    public async Task The_history_of_migrations_says_which_plan_a_migration_was_a_move_of()
    {
        var cut = await RenderFollowingAsync();

        Migrations.Publish(TestMigrations.Succeeded("m-8", TimeSpan.FromSeconds(2)) with { PlanId = "0197c0ffee0000000000000012345678" });

        await cut.WaitForAssertionAsync(() => Assert.Equal("a move of plan …12345678", cut.Find("[data-testid='migration-history-plan-m-8']").Text()));
    }
}
