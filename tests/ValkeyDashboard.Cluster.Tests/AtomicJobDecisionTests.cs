using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Migrations.Atomic;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Cluster.Tests;

/// <summary>
/// The atomic engine's per-job decision — what state a Valkey job is in now — for every end state Valkey reports and
/// every way a job can be lost, on the entries of real <c>CLUSTER GETSLOTMIGRATIONS</c> replies (Valkey 9.1.2).
/// </summary>
public class AtomicJobDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(30);

    /// <summary>The source's export entry (captured as <c>success</c>) and the target's import entry of the same job.</summary>
    private static readonly SlotMigrationLogEntry Export = SlotMigrationLogParser.Parse(CapturedReplies.Load("getslotmigrations-source.resp"))[0];
    private static readonly SlotMigrationLogEntry Import = SlotMigrationLogParser.Parse(CapturedReplies.Load("getslotmigrations-target.resp"))[0];

    private static string Target => Export.TargetNodeId;

    private static MigrationJob RunningJob(DateTimeOffset? lastSeen = null) => new()
    {
        SourceNodeId = Export.SourceNodeId,
        SourceEndpoint = "127.0.0.1:7000",
        Slots = Export.Slots,
        ValkeyJobName = Export.Name,
        ValkeyState = "snapshotting",
        State = MigrationState.Running,
        KeysAtStart = 1_000,
        KeysMoved = 400,
        StartedAt = Now.AddSeconds(-10),
        LastSeenAt = lastSeen ?? Now.AddSeconds(-1),
    };

    [Fact]
    public void The_captured_entries_are_one_job_seen_from_both_sides()
    {
        Assert.Equal(Export.Name, Import.Name);
        Assert.Equal(SlotMigrationOperation.Export, Export.Operation);
        Assert.Equal(SlotMigrationOperation.Import, Import.Operation);
        Assert.Equal("success", Export.State);
    }

    [Fact]
    public void Success_on_the_source_ends_the_job_succeeded()
    {
        var decision = AtomicJobDecision.Decide(RunningJob(), Target, new AtomicJobObservation(Export.Name, true, Export), Now, LostAfter);

        Assert.False(decision.NeedsOwner);
        Assert.Equal(MigrationState.Succeeded, decision.Job.State);
        Assert.Equal("success", decision.Job.ValkeyState);
        Assert.Equal(Now, decision.Job.FinishedAt);
        Assert.Equal(Now, decision.Job.LastSeenAt);
    }

    [Theory]
    [InlineData("connecting")]
    [InlineData("waiting-to-snapshot")]
    [InlineData("snapshotting")]
    [InlineData("replicating")]
    [InlineData("waiting-to-pause")]
    [InlineData("failover-paused")]
    [InlineData("failover-granted")]
    public void A_source_state_on_the_way_keeps_the_job_running_and_shows_the_state(string state)
    {
        var decision = AtomicJobDecision.Decide(RunningJob(), Target, new AtomicJobObservation(Export.Name, true, Export with { State = state }), Now, LostAfter);

        Assert.Equal(MigrationState.Running, decision.Job.State);
        Assert.Equal(state, decision.Job.ValkeyState);
        Assert.Null(decision.Job.FinishedAt);
        Assert.Equal(400, decision.Job.KeysMoved);
    }

    [Theory]
    [InlineData("Connection lost to target. Error: Connection refused")]
    [InlineData("A failover occurred during slot import")]
    [InlineData("Slots are no longer owned by myself")]
    [InlineData("Data was flushed")]
    [InlineData("Unpaused before migration completed (migration may have succeeded with lost writes)")]
    [InlineData("Ran out of memory (OOM) during slot import")]
    [InlineData("Timed out after too long with no interaction")]
    [InlineData("Failed to AUTH to target node: WRONGPASS invalid username-password pair or user is disabled.")]
    [InlineData("Process restarted")]
    public void Failed_on_the_source_ends_the_job_failed_with_Valkeys_message(string message)
    {
        var decision = AtomicJobDecision.Decide(RunningJob(), Target, new AtomicJobObservation(Export.Name, true, Export with { State = "failed", Message = message }), Now, LostAfter);

        Assert.Equal(MigrationState.Failed, decision.Job.State);
        Assert.Equal(message, decision.Job.Message);
        Assert.Equal(0, decision.Job.KeysMoved);
        Assert.Equal(Now, decision.Job.FinishedAt);
    }

    [Fact]
    public void Cancelled_on_the_source_ends_the_job_cancelled_with_nothing_moved()
    {
        var decision = AtomicJobDecision.Decide(RunningJob(), Target, new AtomicJobObservation(Export.Name, true, Export with { State = "cancelled" }), Now, LostAfter);

        Assert.Equal(MigrationState.Cancelled, decision.Job.State);
        Assert.Equal(0, decision.Job.KeysMoved);
    }

    [Fact]
    public void After_a_failover_of_the_source_the_targets_record_decides_with_its_message()
    {
        // The failed-over source is gone (or its successor has no record); the target still has its import.
        var seen = new AtomicJobObservation(Export.Name, SourceAnswered: false, SourceEntry: null, TargetAnswered: true,
            TargetEntry: Import with { State = "failed", Message = "A failover occurred during slot import" });

        var decision = AtomicJobDecision.Decide(RunningJob(), Target, seen, Now, LostAfter);

        Assert.Equal(MigrationState.Failed, decision.Job.State);
        Assert.Equal("A failover occurred during slot import", decision.Job.Message);
    }

    [Fact]
    public void Success_on_the_target_when_the_source_no_longer_has_the_job_ends_it_succeeded()
    {
        var seen = new AtomicJobObservation(Export.Name, SourceAnswered: true, SourceEntry: null, TargetAnswered: true, TargetEntry: Import);

        Assert.Equal(MigrationState.Succeeded, AtomicJobDecision.Decide(RunningJob(), Target, seen, Now, LostAfter).Job.State);
    }

    [Fact]
    public void A_job_whose_nodes_are_both_silent_keeps_running_until_the_lost_job_timeout()
    {
        var seen = new AtomicJobObservation(Export.Name, SourceAnswered: false, SourceEntry: null, TargetAnswered: false);

        var decision = AtomicJobDecision.Decide(RunningJob(lastSeen: Now - LostAfter + TimeSpan.FromSeconds(1)), Target, seen, Now, LostAfter);

        Assert.False(decision.NeedsOwner);
        Assert.Equal(MigrationState.Running, decision.Job.State);
        Assert.Equal("neither the source nor the target is answering", decision.Job.Message);
    }

    [Fact]
    public void A_job_whose_nodes_stay_silent_past_the_timeout_is_decided_by_ownership()
    {
        var seen = new AtomicJobObservation(Export.Name, SourceAnswered: false, SourceEntry: null, TargetAnswered: false);

        var decision = AtomicJobDecision.Decide(RunningJob(lastSeen: Now - LostAfter), Target, seen, Now, LostAfter);

        Assert.True(decision.NeedsOwner);
        Assert.Equal(MigrationState.Running, decision.Job.State);
    }

    [Fact]
    public void A_job_neither_side_remembers_asks_for_the_owner_before_deciding()
    {
        var seen = new AtomicJobObservation(Export.Name, SourceAnswered: true, SourceEntry: null, TargetAnswered: true, TargetEntry: null);

        Assert.True(AtomicJobDecision.Decide(RunningJob(), Target, seen, Now, LostAfter).NeedsOwner);
    }

    [Fact]
    public void A_forgotten_job_whose_slots_the_target_owns_succeeded_with_every_key()
    {
        var seen = new AtomicJobObservation(Export.Name, true, null, true, null, new SlotOwner(Target));

        var decision = AtomicJobDecision.Decide(RunningJob(), Target, seen, Now, LostAfter);

        Assert.False(decision.NeedsOwner);
        Assert.Equal(MigrationState.Succeeded, decision.Job.State);
        Assert.Equal(1_000, decision.Job.KeysMoved);
        Assert.Equal($"Valkey no longer has a record of job {Export.Name} (a node restarted), but the target owns the slots", decision.Job.Message);
    }

    [Fact]
    public void A_forgotten_job_whose_slots_another_node_owns_failed_and_names_it()
    {
        var seen = new AtomicJobObservation(Export.Name, true, null, true, null, new SlotOwner(Export.SourceNodeId));

        var decision = AtomicJobDecision.Decide(RunningJob(), Target, seen, Now, LostAfter);

        Assert.Equal(MigrationState.Failed, decision.Job.State);
        Assert.Equal(0, decision.Job.KeysMoved);
        Assert.EndsWith($"the slots stay with {Export.SourceNodeId[..8]}…", decision.Job.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_forgotten_job_whose_slots_are_split_failed_and_the_slots_stay_with_their_source()
    {
        var seen = new AtomicJobObservation(Export.Name, true, null, true, null, new SlotOwner(null));

        var decision = AtomicJobDecision.Decide(RunningJob(), Target, seen, Now, LostAfter);

        Assert.Equal(MigrationState.Failed, decision.Job.State);
        Assert.EndsWith("the slots stay with their source", decision.Job.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_job_name_learned_this_round_is_kept()
    {
        var job = RunningJob() with { ValkeyJobName = null };

        var decision = AtomicJobDecision.Decide(job, Target, new AtomicJobObservation(Export.Name, true, Export with { State = "snapshotting" }), Now, LostAfter);

        Assert.Equal(Export.Name, decision.Job.ValkeyJobName);
    }

    [Fact]
    public void An_empty_message_keeps_the_message_the_job_had()
    {
        var job = RunningJob() with { Message = "neither the source nor the target is answering" };

        var decision = AtomicJobDecision.Decide(job, Target, new AtomicJobObservation(Export.Name, true, Export with { State = "replicating", Message = string.Empty }), Now, LostAfter);

        Assert.Equal("neither the source nor the target is answering", decision.Job.Message);
    }

    [Fact]
    public void The_job_in_the_captured_reply_covers_the_ranges_Valkey_listed()
    {
        Assert.Equal(SlotRangeSet.Parse("0-9,20-29"), Export.Slots);
    }
}
