using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Plans;
using ValkeyDashboard.Model;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// A page's plan board: the plan that runs (or the one that just ended, for a while), the finished ones in the
/// history, every change live, and pause, resume and cancel on their way.
/// </summary>
public sealed class PlanBoardTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private readonly FakePlanCommands _plans = new();
    private readonly ManualClock _clock = new(TestPlans.Created + TimeSpan.FromMinutes(1));
    private int _changes;
    private PlanBoard _board = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    private async Task<PlanBoard> FollowingAsync()
    {
        _board = new PlanBoard(_plans, () => Interlocked.Increment(ref _changes), _clock);
        await Wait.UntilAsync(_ => Task.FromResult(_plans.SubscriberCount == 1), Deadline, "the board to follow the plans", TimeSpan.FromMilliseconds(10));
        return _board;
    }

    private static Task UntilAsync(Func<bool> condition, string what) =>
        Wait.UntilAsync(_ => Task.FromResult(condition()), Deadline, what, TimeSpan.FromMilliseconds(10));

    [Fact]
    public async Task The_plan_the_service_runs_is_current_from_the_start_and_the_finished_ones_are_history()
    {
        _plans.Publish(TestPlans.Succeeded(TestPlans.Running("p-0") with { CreatedAt = TestPlans.Created.AddHours(-1) }, TimeSpan.FromSeconds(5)) with { FinishedAt = TestPlans.Created.AddHours(-1) });
        _plans.Publish(TestPlans.Running("p-1"));

        var board = await FollowingAsync();

        await UntilAsync(() => board.Current?.Id == "p-1", "the running plan to be current");
        Assert.True(board.HasActivePlan);
        Assert.Equal(["p-0"], board.HistoryItems.Select(p => p.Id));
        Assert.Equal(1, board.FinishedCount);
        Assert.True(_changes > 0, "the board said it changed");
    }

    [Fact]
    public async Task Progress_arrives_live_and_a_finished_plan_stays_current_for_two_minutes_unless_dismissed()
    {
        var board = await FollowingAsync();
        var plan = TestPlans.Running("p-1");

        _plans.Publish(TestPlans.Progressing(plan));
        await UntilAsync(() => board.Current?.EtaSeconds == 12.5, "the plan's progress on the board");

        var done = TestPlans.Succeeded(plan, TimeSpan.FromSeconds(30));
        _clock.Now = done.FinishedAt!.Value + PlanBoard.FinishedShownFor - TimeSpan.FromSeconds(1);
        _plans.Publish(done);
        await UntilAsync(() => board.Current?.State == PlanState.Succeeded, "the finished plan to be current");
        Assert.False(board.HasActivePlan);
        Assert.Equal(["p-1"], board.HistoryItems.Select(p => p.Id));

        _clock.Now += TimeSpan.FromSeconds(2);
        Assert.Null(board.Current);

        _clock.Now -= TimeSpan.FromSeconds(2);
        board.Dismiss("p-1");
        Assert.Null(board.Current);
        Assert.Equal(["p-1"], board.HistoryItems.Select(p => p.Id));
    }

    [Fact]
    public async Task Pause_resume_and_cancel_go_to_the_service_as_the_user_and_are_in_flight_until_answered()
    {
        var board = await FollowingAsync();
        var plan = TestPlans.Running("p-1");
        _plans.Publish(plan);
        board.Started(plan);
        Assert.Equal("p-1", board.Current?.Id);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _plans.ChangeAnswer = answer.Task;

        var pause = board.PauseAsync("p-1", "alice");
        Assert.Contains("p-1", board.InFlight);
        // A second click while the first is on its way asks nothing more.
        await board.CancelAsync("p-1", "alice");
        answer.SetResult();
        await pause;

        Assert.Empty(board.InFlight);
        Assert.Equal(PlanState.Paused, board.Current?.State);
        await board.ResumeAsync("p-1", "alice");
        Assert.Equal(PlanState.Running, board.Current?.State);
        await board.CancelAsync("p-1", "alice");
        Assert.True(board.Current?.CancelRequested);
        Assert.Equal(["pause p-1 by alice", "resume p-1 by alice", "cancel p-1 by alice"], _plans.Changes);
    }

    [Fact]
    public async Task A_refused_change_reaches_the_caller_and_is_no_longer_in_flight()
    {
        var board = await FollowingAsync();
        board.Started(TestPlans.Running("p-1"));
        _plans.ChangeError = RequestRefusedException.Conflict("plan p-1 is succeeded; only a running plan can be paused");

        var refused = await Assert.ThrowsAsync<RequestRefusedException>(() => board.PauseAsync("p-1", "alice"));

        Assert.Contains("only a running plan can be paused", refused.Message, StringComparison.Ordinal);
        Assert.Empty(board.InFlight);
        Assert.Equal(PlanState.Running, board.Current?.State);
    }

    [Fact]
    public async Task An_answer_that_arrives_after_the_plan_ended_does_not_bring_it_back()
    {
        var board = await FollowingAsync();
        var plan = TestPlans.Running("p-1");
        board.Started(plan);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _plans.ChangeAnswer = answer.Task;
        var pause = board.PauseAsync("p-1", "alice");

        // The plan ends (the stream says so) before the pause's answer (a paused plan) comes back.
        _plans.Publish(TestPlans.Succeeded(plan, TimeSpan.FromSeconds(3)));
        await UntilAsync(() => board.Current?.State == PlanState.Succeeded, "the plan to have ended on the board");
        answer.SetResult();
        await pause;

        Assert.Equal(PlanState.Succeeded, board.Current?.State);
    }

    public async Task DisposeAsync()
    {
        if (_board is not null)
        {
            await _board.DisposeAsync();
        }

        Assert.Equal(0, _plans.SubscriberCount);
        _plans.Dispose();
    }
}
