using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Components.Tests;

/// <summary>Migrations and preflight plans on the cluster of <see cref="TestSnapshots"/>: slots of primary 0 moving to primary 2.</summary>
internal static class TestMigrations
{
    public static readonly DateTimeOffset Created = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public static MigrationJob Job(MigrationState state, string slots = "0-99", string? message = null) => new()
    {
        SourceNodeId = TestSnapshots.PrimaryIds[0],
        SourceEndpoint = "127.0.0.1:7000",
        Slots = SlotRangeSet.Parse(slots),
        ValkeyJobName = "job-" + slots,
        State = state,
        Message = message,
    };

    public static Migration Running(string id, double progress = 0.25) => new()
    {
        Id = id,
        State = MigrationState.Running,
        Slots = SlotRangeSet.Parse("0-99"),
        TargetNodeId = TestSnapshots.PrimaryIds[2],
        TargetEndpoint = "127.0.0.1:7002",
        Jobs = [Job(MigrationState.Running)],
        Progress = progress,
        KeysMoved = (long)(400 * progress),
        Estimate = new MigrationEstimate(400, 409_600, 3_145_728, 0, []),
        CreatedAt = Created,
        StartedAt = Created,
        RequestedBy = "ui",
    };

    public static Migration Succeeded(string id, TimeSpan took) => Running(id) with
    {
        State = MigrationState.Succeeded,
        Jobs = [Job(MigrationState.Succeeded)],
        Progress = 1,
        KeysMoved = 400,
        FinishedAt = Created + took,
    };

    /// <summary>Failed as Valkey reported it: the message is on the job, the migration has no error of its own.</summary>
    public static Migration FailedByValkey(string id, string valkeyMessage) => Running(id) with
    {
        State = MigrationState.Failed,
        Jobs = [Job(MigrationState.Failed, message: valkeyMessage)],
        FinishedAt = Created + TimeSpan.FromSeconds(3),
    };

    public static Migration Cancelled(string id, string error) => Running(id) with
    {
        State = MigrationState.Cancelled,
        Jobs = [Job(MigrationState.Cancelled)],
        Error = error,
        FinishedAt = Created + TimeSpan.FromSeconds(1),
    };

    /// <summary>A preflight plan moving <c>0-99</c> from primary 0 and <c>5461-5470</c> from primary 1 to primary 2.</summary>
    public static MigrationPlan TwoSourcePlan(params string[] warnings)
    {
        var first = new PlannedJob(TestSnapshots.Primary(0), SlotRangeSet.Parse("0-99"), 1_200, 1_258_291, SlotRangeSet.Parse("0-99"), 1_200);
        var second = new PlannedJob(TestSnapshots.Primary(1), SlotRangeSet.Parse("5461-5470"), 34, 2_048, SlotRangeSet.Parse("5461-5470"), 34);
        return new MigrationPlan(
            SlotRangeSet.Parse("0-99,5461-5470"),
            TestSnapshots.Primary(2),
            [first, second],
            new MigrationEstimate(1_234, 1_260_339, 3_145_728, 1_073_741_824, [.. warnings]));
    }
}
