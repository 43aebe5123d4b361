using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Model;
using Bunit;
using Microsoft.AspNetCore.Components.Web;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Components.Controls;
using ValkeyDashboard.Components.Pages;

namespace ValkeyDashboard.Components.Tests;

/// <summary>Moving slots from the page: a drop opens the preflight, and every change of a migration shows up live.</summary>
public class HomePageMigrationTests : DashboardTestContext
{
    private async Task<IRenderedComponent<Home>> RenderFollowingAsync()
    {
        await PublishAndWaitForHeatMapAsync(TestSnapshots.Ok());
        var cut = Render<Home>();
        await cut.WaitForAssertionAsync(() => Assert.Equal(3, cut.FindAll("[data-testid^='node-card-']").Count));
        await WaitUntilAsync(() => Migrations.SubscriberCount == 1, "the page to follow the migrations");
        return cut;
    }

    /// <summary>Drops as the browser reports it; the call returns only when the dialog closes, so it is not awaited.</summary>
    private static Task DropAsync(IRenderedComponent<Home> cut, string slots, string nodeId)
    {
        var heatMap = cut.FindComponent<SlotHeatMap>();
        return cut.InvokeAsync(() => heatMap.Instance.OnDroppedAsync(slots, nodeId));
    }

    [Fact]
    public async Task Dropping_slots_on_a_card_opens_the_preflight_for_that_node()
    {
        Migrations.Plan = TestMigrations.TwoSourcePlan();
        var cut = await RenderFollowingAsync();

        _ = DropAsync(cut, "0-99", TestSnapshots.PrimaryIds[2]);

        await Dialogs.WaitForAssertionAsync(() => Assert.NotNull(Dialogs.Find("[data-testid='preflight-jobs']")));
        Assert.Contains("Move 100 slots to 127.0.0.1:7002", Dialogs.Markup, StringComparison.Ordinal);
        Assert.Equal(new MigrationRequest(SlotRangeSet.Parse("0-99"), TestSnapshots.PrimaryIds[2], "tester"), Assert.Single(Migrations.Preflights));
    }

    [Fact]
    public async Task Confirming_the_preflight_shows_the_started_migration_in_the_running_panel()
    {
        Migrations.Plan = TestMigrations.TwoSourcePlan();
        Migrations.NextId = "m-7";
        var cut = await RenderFollowingAsync();
        var drop = DropAsync(cut, "0-99", TestSnapshots.PrimaryIds[2]);
        await Dialogs.WaitForAssertionAsync(() => Assert.NotNull(Dialogs.Find("[data-testid='preflight-jobs']")));

        await Dialogs.Find("[data-testid='confirm-migration']").ClickAsync(new MouseEventArgs());

        await drop.WaitAsync(TimeSpan.FromSeconds(5));
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='migration-progress-m-7']")));
        Assert.Contains("Migration m-7 started: 0-99 to 127.0.0.1:7002.", Snackbars.Markup, StringComparison.Ordinal);
        Assert.Empty(Dialogs.FindAll("[data-testid='preflight-jobs']"));
    }

    [Fact]
    public async Task Dropping_slots_on_the_card_that_owns_them_opens_no_preflight()
    {
        var cut = await RenderFollowingAsync();

        await DropAsync(cut, "0-99", TestSnapshots.PrimaryIds[0]);

        await Snackbars.WaitForAssertionAsync(() => Assert.Contains("127.0.0.1:7000 already owns 0-99: nothing to move.", Snackbars.Markup, StringComparison.Ordinal));
        Assert.Empty(Migrations.Preflights);
        Assert.Empty(Dialogs.FindAll("[data-testid='preflight-jobs']"));
    }

    [Fact]
    public async Task A_migration_the_service_reports_shows_in_the_running_panel_and_in_the_history_when_it_ends()
    {
        var cut = await RenderFollowingAsync();
        Assert.Empty(cut.FindAll("[data-testid='active-migrations']"));

        Migrations.Publish(TestMigrations.Running("m-1", progress: 0.4));

        await cut.WaitForAssertionAsync(() => Assert.Equal("40", cut.Find("[data-testid='migration-progress-m-1']").GetAttribute("data-progress")));
        Assert.Empty(cut.FindAll("[data-testid='migration-history-m-1']"));

        var now = DateTimeOffset.UtcNow;
        Migrations.Publish(TestMigrations.Succeeded("m-1", TimeSpan.FromSeconds(5)) with { StartedAt = now.AddSeconds(-5), FinishedAt = now });

        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='migration-history-m-1']")));
        Assert.Equal("succeeded", cut.Find("[data-testid='migration-m-1']").GetAttribute("data-state"));
        Assert.Equal("5.0 s", cut.Find("[data-testid='migration-history-m-1']").QuerySelectorAll("td")[4].Text());
    }

    [Fact]
    public async Task A_dismissed_finished_migration_leaves_the_running_panel_but_stays_in_the_history()
    {
        var cut = await RenderFollowingAsync();
        Migrations.Publish(TestMigrations.FailedByValkey("m-1", "ERR target is out of memory") with { FinishedAt = DateTimeOffset.UtcNow });
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='migration-error-m-1']")));

        await cut.Find("[data-testid='dismiss-migration-m-1']").ClickAsync(new MouseEventArgs());

        await cut.WaitForAssertionAsync(() => Assert.Empty(cut.FindAll("[data-testid='migration-m-1']")));
        Assert.Equal("ERR target is out of memory", cut.Find("[data-testid='migration-history-message-m-1']").Text());
    }

    [Fact]
    public async Task Cancel_in_the_running_panel_asks_the_service_as_the_signed_in_user()
    {
        var cut = await RenderFollowingAsync();
        Migrations.Publish(TestMigrations.Running("m-1"));
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='cancel-migration-m-1']")));

        await cut.Find("[data-testid='cancel-migration-m-1']").ClickAsync(new MouseEventArgs());

        Assert.Equal([("m-1", "tester")], Migrations.Cancels);
    }

    [Fact]
    public async Task A_refused_cancel_says_why_and_the_migration_keeps_running()
    {
        Migrations.CancelError = RequestRefusedException.Conflict("source 127.0.0.1:7000 also exports slots 200-299 for migration m-2; cancelling would stop it too", "m-2");
        var cut = await RenderFollowingAsync();
        Migrations.Publish(TestMigrations.Running("m-1"));
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='cancel-migration-m-1']")));

        await cut.Find("[data-testid='cancel-migration-m-1']").ClickAsync(new MouseEventArgs());

        await Snackbars.WaitForAssertionAsync(() => Assert.Contains(
            "Cannot cancel m-1: source 127.0.0.1:7000 also exports slots 200-299 for migration m-2; cancelling would stop it too", Snackbars.Markup, StringComparison.Ordinal));
        Assert.Contains("mud-alert-filled-error", Snackbars.Find(".mud-snackbar").ClassName, StringComparison.Ordinal);
        await cut.WaitForAssertionAsync(() => Assert.False(cut.Find("[data-testid='cancel-migration-m-1']").HasAttribute("disabled")));
        Assert.Equal("running", cut.Find("[data-testid='migration-m-1']").GetAttribute("data-state"));
    }

    [Fact]
    public async Task A_cancel_that_fails_says_what_went_wrong()
    {
        Migrations.CancelError = new TimeoutException("127.0.0.1:7000 did not answer within 2 s");
        var cut = await RenderFollowingAsync();
        Migrations.Publish(TestMigrations.Running("m-1"));
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='cancel-migration-m-1']")));

        await cut.Find("[data-testid='cancel-migration-m-1']").ClickAsync(new MouseEventArgs());

        await Snackbars.WaitForAssertionAsync(() => Assert.Contains("Cancelling m-1 failed: 127.0.0.1:7000 did not answer within 2 s", Snackbars.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancel_stays_disabled_while_the_cancel_is_on_its_way()
    {
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Migrations.CancelAnswer = answer.Task;
        var cut = await RenderFollowingAsync();
        Migrations.Publish(TestMigrations.Running("m-1"));
        await cut.WaitForAssertionAsync(() => Assert.False(cut.Find("[data-testid='cancel-migration-m-1']").HasAttribute("disabled")));

        var cancel = cut.Find("[data-testid='cancel-migration-m-1']").ClickAsync(new MouseEventArgs());

        await cut.WaitForAssertionAsync(() => Assert.True(cut.Find("[data-testid='cancel-migration-m-1']").HasAttribute("disabled")));
        answer.SetResult();
        await cancel.WaitAsync(TimeSpan.FromSeconds(5));
        await cut.WaitForAssertionAsync(() => Assert.False(cut.Find("[data-testid='cancel-migration-m-1']").HasAttribute("disabled")));
    }

    [Fact]
    public async Task A_viewer_sees_migrations_but_gets_no_drop_targets_move_or_cancel()
    {
        Authorization.SetRoles("viewer");
        var cut = await RenderFollowingAsync();
        Migrations.Publish(TestMigrations.Running("m-1"));

        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='migration-m-1']")));
        Assert.True(cut.Find("[data-testid='cancel-migration-m-1']").HasAttribute("disabled"));
        Assert.NotEmpty(cut.FindAll("[data-testid^='node-card-']"));
        Assert.Empty(cut.FindAll("[data-drop-node]"));
        Assert.Empty(cut.FindAll("[data-slot-range]"));
        await cut.FindComponent<Controls.SlotHeatMap>().InvokeAsync(() =>
            cut.FindComponent<Controls.SlotHeatMap>().Instance.OnDroppedAsync("0-99", TestSnapshots.PrimaryIds[2]));
        Assert.Empty(Migrations.Preflights);
    }
}
