using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Tests;

/// <summary>A migration's state from its jobs' states, whatever engine ran them.</summary>
public class MigrationOutcomeTests
{
    private static MigrationJob Job(string slots, MigrationState state, string? message = null, long keysAtStart = 100, long keysMoved = 0) => new()
    {
        SourceNodeId = "a",
        SourceEndpoint = $"127.0.0.1:{7000 + slots.Length}",
        Slots = SlotRangeSet.Parse(slots),
        State = state,
        Message = message,
        KeysAtStart = keysAtStart,
        KeysMoved = keysMoved,
    };

    [Fact]
    public void A_migration_with_an_unfinished_job_is_running()
    {
        var outcome = MigrationOutcome.Of([Job("0-9", MigrationState.Succeeded), Job("20-29", MigrationState.Running)]);

        Assert.Equal(new MigrationOutcome(MigrationState.Running, null, false), outcome);
    }

    [Fact]
    public void Every_job_succeeded_asks_for_the_targets_view_before_succeeding()
    {
        ImmutableArray<MigrationJob> jobs = [Job("0-9", MigrationState.Succeeded), Job("20-29", MigrationState.Succeeded)];

        Assert.True(MigrationOutcome.Of(jobs).NeedsTargetOwnership);
        Assert.Equal(MigrationState.Running, MigrationOutcome.Of(jobs).State);
        Assert.Equal(MigrationState.Succeeded, MigrationOutcome.Of(jobs, targetOwnsSlots: true).State);
        Assert.Equal(new MigrationOutcome(MigrationState.Running, null, false), MigrationOutcome.Of(jobs, targetOwnsSlots: false));
    }

    [Fact]
    public void A_failed_job_fails_the_migration_with_each_failure_named()
    {
        var outcome = MigrationOutcome.Of([
            Job("0-9", MigrationState.Failed, "Connection lost to target."),
            Job("20-29", MigrationState.Succeeded),
            Job("40", MigrationState.Failed, "Data was flushed")]);

        Assert.Equal(MigrationState.Failed, outcome.State);
        Assert.Equal("slots 0-9 from 127.0.0.1:7003: Connection lost to target.; slots 40 from 127.0.0.1:7002: Data was flushed", outcome.Error);
    }

    [Fact]
    public void Cancelled_jobs_cancel_the_migration_and_say_what_had_moved()
    {
        Assert.Equal(new MigrationOutcome(MigrationState.Cancelled, null, false), MigrationOutcome.Of([Job("0-9", MigrationState.Cancelled)]));
        Assert.Equal(
            new MigrationOutcome(MigrationState.Cancelled, "cancelled after slots 20-29 had already moved", false),
            MigrationOutcome.Of([Job("0-9", MigrationState.Cancelled), Job("20-29", MigrationState.Succeeded)]));
    }

    [Fact]
    public void Progress_is_keys_moved_over_keys_to_move_and_one_once_succeeded()
    {
        ImmutableArray<MigrationJob> jobs = [Job("0-9", MigrationState.Running, keysAtStart: 300, keysMoved: 150), Job("20", MigrationState.Running, keysAtStart: 100, keysMoved: 50)];

        Assert.Equal(0.5, MigrationOutcome.Progress(MigrationState.Running, jobs));
        Assert.Equal(1.0, MigrationOutcome.Progress(MigrationState.Succeeded, jobs));
        Assert.Equal(0.0, MigrationOutcome.Progress(MigrationState.Running, [Job("0", MigrationState.Running, keysAtStart: 0)]));
        Assert.Equal(1.0, MigrationOutcome.Progress(MigrationState.Running, [Job("0", MigrationState.Running, keysAtStart: 10, keysMoved: 12)]));
    }
}
