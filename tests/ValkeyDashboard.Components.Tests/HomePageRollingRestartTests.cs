using Bunit;
using Microsoft.AspNetCore.Components.Web;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Restarts;
using ValkeyDashboard.Components.Controls;
using ValkeyDashboard.Components.Pages;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// The rolling restart on the home page: the one running when the page opens, or started from it, shows live (state,
/// progress, each node's step with what it is doing) with Pause, Resume and Cancel for an operator, going to the service
/// as the signed-in user; a finished one stays with its outcome until dismissed; a viewer follows without the controls.
/// </summary>
public class HomePageRollingRestartTests : DashboardTestContext
{
    public HomePageRollingRestartTests() => JSInterop.SetupModule(SlotHeatMap.ModulePath);

    private async Task<IRenderedComponent<Home>> RenderFollowingAsync()
    {
        await PublishAndWaitForHeatMapAsync(TestSnapshots.Ok());
        var cut = Render<Home>();
        await cut.WaitForAssertionAsync(() => Assert.Equal(3, cut.FindAll("[data-testid^='node-card-']").Count));
        await WaitUntilAsync(() => RollingRestarts.SubscriberCount == 1, "the page to follow the rolling restarts");
        return cut;
    }

    private static string State(IRenderedComponent<Home> cut) => cut.Find("[data-testid='rolling-restart-state']").Text();

    private static (string? State, string Message) Step(IRenderedComponent<Home> cut, int index) =>
        (cut.Find($"[data-testid='rolling-restart-node-{index}']").GetAttribute("data-state"), cut.Find($"[data-testid='rolling-restart-node-message-{index}']").Text());

    [Fact]
    public async Task No_rolling_restart_no_panel()
    {
        var cut = await RenderFollowingAsync();

        Assert.Empty(cut.FindAll("[data-testid='rolling-restart-panel']"));
        Assert.False(cut.Find("[data-testid='rolling-restart']").HasAttribute("disabled"));
    }

    [Fact]
    public async Task One_running_when_the_page_opens_is_shown_and_single_restarts_wait_for_it()
    {
        RollingRestarts.Publish(TestRestarts.Running("r-0", TestRestarts.Steps()));

        var cut = await RenderFollowingAsync();

        await cut.WaitForAssertionAsync(() => Assert.Equal("running", State(cut)));
        Assert.Equal(("pending", TestRestarts.Steps()[0].Plan), Step(cut, 0));
        Assert.True(cut.Find("[data-testid='rolling-restart']").HasAttribute("disabled"));
        Assert.All(cut.FindAll("[data-testid^='node-restart-']"), b => Assert.True(b.HasAttribute("disabled")));
    }

    [Fact]
    public async Task Each_pushed_update_shows_the_steps_state_and_message_and_the_progress()
    {
        var cut = await RenderFollowingAsync();
        var rolling = TestRestarts.Running("r-1", TestRestarts.Steps());
        for (var i = 0; i < 3; i++)
        {
            rolling = rolling.WithStep(i, s => s with { State = RestartStepState.Succeeded, Message = "back, in sync" });
        }

        rolling = rolling.WithStep(3, s => s with { State = RestartStepState.Running, Message = "failing 127.0.0.1:7000 over to 127.0.0.1:7003" });
        RollingRestarts.Publish(rolling);

        await cut.WaitForAssertionAsync(() => Assert.Equal(("running", "failing 127.0.0.1:7000 over to 127.0.0.1:7003"), Step(cut, 3)));
        Assert.Equal(("succeeded", "back, in sync"), Step(cut, 2));
        Assert.Equal("pending", Step(cut, 4).State);
        Assert.Equal("50", cut.Find("[data-testid='rolling-restart-progress']").GetAttribute("data-progress"));
        Assert.Contains("3 of 6 restarted", cut.Find("[data-testid='rolling-restart-figures']").Text(), StringComparison.Ordinal);

        RollingRestarts.Publish(rolling.WithStep(3, s => s with { Message = "restarting 127.0.0.1:7000" }));

        await cut.WaitForAssertionAsync(() => Assert.Equal(("running", "restarting 127.0.0.1:7000"), Step(cut, 3)));
    }

    [Fact]
    public async Task Pause_resume_and_cancel_go_to_the_service_as_the_signed_in_user()
    {
        var cut = await RenderFollowingAsync();
        RollingRestarts.Publish(TestRestarts.Running("r-2", TestRestarts.Steps()));
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='rolling-restart-pause']")));

        await cut.Find("[data-testid='rolling-restart-pause']").ClickAsync(new MouseEventArgs());

        await cut.WaitForAssertionAsync(() => Assert.Equal("pausing", State(cut)));
        Assert.Equal("pausing (asked by tester) once the node being restarted is back", cut.Find("[data-testid='rolling-restart-message']").Text());
        // The runner pauses once the node being restarted is back.
        RollingRestarts.Publish(RollingRestarts.Find("r-2")! with { State = RollingRestartState.Paused, PauseRequested = false });
        await cut.WaitForAssertionAsync(() => Assert.Equal("paused", State(cut)));

        await cut.Find("[data-testid='rolling-restart-resume']").ClickAsync(new MouseEventArgs());
        await cut.WaitForAssertionAsync(() => Assert.Equal("running", State(cut)));
        await cut.Find("[data-testid='rolling-restart-cancel']").ClickAsync(new MouseEventArgs());
        await cut.WaitForAssertionAsync(() => Assert.Equal("cancelling", State(cut)));

        Assert.Equal(["pause r-2 by tester", "resume r-2 by tester", "cancel r-2 by tester"], RollingRestarts.Requests);
    }

    [Fact]
    public async Task A_refused_pause_says_why()
    {
        var cut = await RenderFollowingAsync();
        RollingRestarts.Publish(TestRestarts.Running("r-3", TestRestarts.Steps()));
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='rolling-restart-pause']")));
        RollingRestarts.ChangeError = RequestRefusedException.Conflict("rolling restart r-3 is cancelling; only a running one can be paused");

        await cut.Find("[data-testid='rolling-restart-pause']").ClickAsync(new MouseEventArgs());

        await Snackbars.WaitForAssertionAsync(() => Assert.Contains(
            "Cannot pause the rolling restart: rolling restart r-3 is cancelling; only a running one can be paused", Snackbars.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_finished_one_stays_with_its_outcome_until_dismissed()
    {
        var cut = await RenderFollowingAsync();
        var rolling = TestRestarts.Running("r-4", TestRestarts.Steps());
        RollingRestarts.Publish(rolling);
        await cut.WaitForAssertionAsync(() => Assert.Equal("running", State(cut)));

        var failed = rolling.WithStep(0, s => s with { State = RestartStepState.Failed, Message = "127.0.0.1:7003 was not in sync with its primary within 60 s" });
        for (var i = 1; i < 6; i++)
        {
            failed = failed.WithStep(i, s => s with { State = RestartStepState.Skipped });
        }

        RollingRestarts.Publish(failed with { State = RollingRestartState.Failed, Error = "127.0.0.1:7003 was not in sync with its primary within 60 s; the nodes after it were not touched" });

        await cut.WaitForAssertionAsync(() => Assert.Equal("failed", State(cut)));
        Assert.Equal("127.0.0.1:7003 was not in sync with its primary within 60 s; the nodes after it were not touched", cut.Find("[data-testid='rolling-restart-message']").Text());
        Assert.Equal("skipped", Step(cut, 5).State);
        Assert.Empty(cut.FindAll("[data-testid='rolling-restart-pause'], [data-testid='rolling-restart-cancel']"));
        // Ended: another may start, and single restarts are offered again.
        Assert.False(cut.Find("[data-testid='rolling-restart']").HasAttribute("disabled"));

        await cut.Find("[data-testid='rolling-restart-dismiss']").ClickAsync(new MouseEventArgs());

        await cut.WaitForAssertionAsync(() => Assert.Empty(cut.FindAll("[data-testid='rolling-restart-panel']")));
    }

    [Fact]
    public async Task One_started_from_the_page_shows_at_once()
    {
        RollingRestarts.NextId = "r-5";
        var cut = await RenderFollowingAsync();

        // The click's handler ends once the dialog has closed.
        var click = cut.Find("[data-testid='rolling-restart']").ClickAsync(new MouseEventArgs());
        await Dialogs.WaitForAssertionAsync(() => Assert.NotNull(Dialogs.Find("[data-testid='rolling-restart-step-5']")));
        await Dialogs.Find("[data-testid='rolling-restart-start']").ClickAsync(new MouseEventArgs());
        await click.WaitAsync(TimeSpan.FromSeconds(5));

        await cut.WaitForAssertionAsync(() => Assert.Equal("r-5", cut.Find("[data-testid='rolling-restart-panel']").GetAttribute("data-id")));
        Assert.Equal(["preview [] failBack=False", "start [] failBack=False by tester"], RollingRestarts.Requests);
    }

    [Fact]
    public async Task A_viewer_follows_it_without_Pause_Resume_Cancel_or_Rolling_restart()
    {
        Authorization.SetRoles("viewer");
        var cut = await RenderFollowingAsync();

        RollingRestarts.Publish(TestRestarts.Running("r-6", TestRestarts.Steps()).WithStep(0, s => s with { State = RestartStepState.Running, Message = "restarting 127.0.0.1:7003" }));

        await cut.WaitForAssertionAsync(() => Assert.Equal(("running", "restarting 127.0.0.1:7003"), Step(cut, 0)));
        Assert.Empty(cut.FindAll("[data-testid='rolling-restart-pause'], [data-testid='rolling-restart-resume'], [data-testid='rolling-restart-cancel'], [data-testid='rolling-restart'], [data-testid^='node-restart-']"));
    }
}
