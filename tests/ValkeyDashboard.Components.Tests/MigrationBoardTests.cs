using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Model;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// A page's migration board: what the service already has and every change after it, running migrations first, the
/// finished ones for a while and then only in the history, per page dismissals and cancels on their way.
/// </summary>
public sealed class MigrationBoardTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private readonly FakeSlotMigrations _migrations = new();
    private readonly ManualClock _clock = new(TestMigrations.Created + TimeSpan.FromMinutes(1));
    private int _changes;
    private MigrationBoard _board = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    private async Task<MigrationBoard> FollowingAsync()
    {
        _board = new MigrationBoard(_migrations, () => Interlocked.Increment(ref _changes), _clock);
        await Wait.UntilAsync(_ => Task.FromResult(_migrations.SubscriberCount == 1), Deadline, "the board to follow the migrations", TimeSpan.FromMilliseconds(10));
        return _board;
    }

    private static Task UntilAsync(Func<bool> condition, string what) =>
        Wait.UntilAsync(_ => Task.FromResult(condition()), Deadline, what, TimeSpan.FromMilliseconds(10));

    private static string Ids(IEnumerable<Migration> migrations) => string.Join(",", migrations.Select(m => m.Id));

    [Fact]
    public async Task Migrations_the_service_had_before_are_on_the_board_from_the_start()
    {
        _migrations.Publish(TestMigrations.Running("m-1"));
        _migrations.Publish(TestMigrations.Succeeded("m-0", TimeSpan.FromSeconds(5)) with { CreatedAt = TestMigrations.Created.AddMinutes(-1) });

        var board = await FollowingAsync();

        await UntilAsync(() => board.ActiveItems.Count == 2, "both migrations on the board");
        Assert.Equal("m-1,m-0", Ids(board.ActiveItems));
        Assert.Equal("m-0", Ids(board.HistoryItems));
        Assert.Equal(1, board.FinishedCount);
        Assert.True(_changes > 0, "the board said it changed");
    }

    [Fact]
    public async Task A_running_migration_moves_its_slots_until_it_ends_and_then_is_in_the_history()
    {
        var board = await FollowingAsync();

        _migrations.Publish(TestMigrations.Running("m-1") with { Slots = SlotRangeSet.Parse("0-99") });
        _migrations.Publish(TestMigrations.Running("m-2") with { Slots = SlotRangeSet.Parse("500-509"), CreatedAt = TestMigrations.Created.AddSeconds(1) });

        await UntilAsync(() => board.MovingSlots.Equals(SlotRangeSet.Parse("0-99,500-509")), "the slots of both migrations to be moving");
        Assert.Equal("m-2,m-1", Ids(board.ActiveItems));
        Assert.Empty(board.HistoryItems);

        _migrations.Publish(TestMigrations.Succeeded("m-1", TimeSpan.FromSeconds(5)));

        await UntilAsync(() => board.FinishedCount == 1, "m-1 to be finished on the board");
        Assert.Equal(SlotRangeSet.Parse("500-509"), board.MovingSlots);
        Assert.Equal("m-1", Ids(board.HistoryItems));
        Assert.Equal("m-2,m-1", Ids(board.ActiveItems));
    }

    [Fact]
    public async Task A_finished_migration_leaves_the_running_ones_after_two_minutes_but_stays_in_the_history()
    {
        var finished = TestMigrations.Succeeded("m-1", TimeSpan.FromSeconds(5));
        _clock.Now = finished.FinishedAt!.Value + MigrationBoard.FinishedShownFor - TimeSpan.FromSeconds(1);
        var board = await FollowingAsync();
        _migrations.Publish(finished);
        await UntilAsync(() => board.FinishedCount == 1, "m-1 on the board");
        Assert.Equal("m-1", Ids(board.ActiveItems));

        _clock.Now += TimeSpan.FromSeconds(1);

        Assert.Empty(board.ActiveItems);
        Assert.Equal("m-1", Ids(board.HistoryItems));
    }

    [Fact]
    public async Task At_most_three_finished_migrations_stay_among_the_running_ones_latest_first()
    {
        var board = await FollowingAsync();

        for (var i = 1; i <= 5; i++)
        {
            _migrations.Publish(TestMigrations.Succeeded($"m-{i}", TimeSpan.FromSeconds(i)));
        }

        await UntilAsync(() => board.FinishedCount == 5, "five finished migrations on the board");
        Assert.Equal(MigrationBoard.FinishedShownAtMost, board.ActiveItems.Count);
        Assert.Equal("m-5,m-4,m-3", Ids(board.ActiveItems));
        Assert.Equal(5, board.HistoryItems.Count);
    }

    [Fact]
    public async Task A_dismissed_migration_leaves_the_running_ones_until_this_page_starts_it_again()
    {
        var board = await FollowingAsync();
        _migrations.Publish(TestMigrations.FailedByValkey("m-1", "ERR target is out of memory"));
        await UntilAsync(() => board.ActiveItems.Count == 1, "m-1 among the running ones");

        board.Dismiss("m-1");

        Assert.Empty(board.ActiveItems);
        Assert.Equal("m-1", Ids(board.HistoryItems));

        // An idempotent start answers the same id again: the page shows it again.
        board.Started("m-1");

        Assert.Equal("m-1", Ids(board.ActiveItems));
    }

    [Fact]
    public async Task A_cancel_is_on_its_way_until_the_service_answers_and_then_records_its_answer()
    {
        var board = await FollowingAsync();
        _migrations.Publish(TestMigrations.Running("m-1"));
        await UntilAsync(() => board.ActiveItems.Count == 1, "m-1 on the board");
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _migrations.CancelAnswer = answer.Task;

        var cancel = board.CancelAsync("m-1", "alice");

        Assert.Contains("m-1", board.Cancelling);
        _migrations.Publish(TestMigrations.Cancelled("m-1", "cancelled by alice"));
        answer.SetResult();
        await cancel.WaitAsync(Deadline);
        Assert.Empty(board.Cancelling);
        Assert.Equal(MigrationState.Cancelled, board.ActiveItems.Single().State);
        Assert.Equal([("m-1", "alice")], _migrations.Cancels);
    }

    [Fact]
    public async Task A_refused_cancel_reaches_the_caller_and_leaves_nothing_on_its_way()
    {
        var board = await FollowingAsync();
        _migrations.Publish(TestMigrations.Running("m-1"));
        await UntilAsync(() => board.ActiveItems.Count == 1, "m-1 on the board");
        _migrations.CancelError = RequestRefusedException.Conflict("source 127.0.0.1:7000 also exports for migration m-2");

        var refusal = await Assert.ThrowsAsync<RequestRefusedException>(() => board.CancelAsync("m-1", "alice"));

        Assert.Equal("source 127.0.0.1:7000 also exports for migration m-2", refusal.Message);
        Assert.Empty(board.Cancelling);
        Assert.Equal(MigrationState.Running, board.ActiveItems.Single().State);
    }

    [Fact]
    public async Task Disposing_the_board_ends_its_subscription()
    {
        var board = await FollowingAsync();

        await board.DisposeAsync();

        Assert.Equal(0, _migrations.SubscriberCount);
    }

    public async Task DisposeAsync()
    {
        if (_board is not null)
        {
            await _board.DisposeAsync();
        }

        _migrations.Dispose();
    }
}
