using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Plans;

/// <summary>
/// The pure steps of running a plan: a plan brought up to date with its moves' migrations (states, keys and bytes
/// moved, progress, ETA, and its end when every move has ended), and which pending moves may start now.
/// </summary>
public static class PlanProgress
{
    /// <summary>
    /// <paramref name="plan"/> with each started move's state taken from its migration (found by id, or by the move's
    /// idempotency key when the id was not saved before a restart) and the plan's figures and state updated.
    /// </summary>
    public static Plan Reconcile(Plan plan, Func<string, Migration?> migrationById, Func<string, Migration?> migrationByKey, DateTimeOffset now)
    {
        var moves = plan.Moves.ToBuilder();
        for (var i = 0; i < moves.Count; i++)
        {
            var move = moves[i];
            if (move.IsFinished)
            {
                continue;
            }

            var migration = move.MigrationId is { } id ? migrationById(id) : migrationByKey(PlanMove.MigrationKey(plan.Id, move.Index));
            if (migration is null)
            {
                // A move marked running whose migration never got recorded (a crash mid-start) starts again; its
                // idempotency key makes sure Valkey is not asked twice.
                moves[i] = move.State == PlanState.Running ? move with { State = PlanState.Pending, MigrationId = null } : move;
                continue;
            }

            moves[i] = move with
            {
                MigrationId = migration.Id,
                State = migration.State switch
                {
                    MigrationState.Succeeded => PlanState.Succeeded,
                    MigrationState.Failed => PlanState.Failed,
                    MigrationState.Cancelled => PlanState.Cancelled,
                    _ => PlanState.Running,
                },
                KeysMoved = migration.KeysMoved,
                BytesMoved = migration.BytesMoved,
                Message = migration.Error ?? move.Message,
                StartedAt = move.StartedAt ?? migration.StartedAt ?? now,
                FinishedAt = migration.FinishedAt,
            };
        }

        if (plan.CancelRequested)
        {
            for (var i = 0; i < moves.Count; i++)
            {
                if (moves[i].State == PlanState.Pending)
                {
                    moves[i] = moves[i] with { State = PlanState.Cancelled, Message = "the plan was cancelled before this move started", FinishedAt = now };
                }
            }
        }

        var updated = moves.ToImmutable();
        var keysMoved = updated.Sum(m => m.KeysMoved);
        var bytesMoved = updated.Sum(m => m.BytesMoved);
        var done = updated.All(m => m.IsFinished);
        var state = !done ? plan.State
            : plan.CancelRequested ? PlanState.Cancelled
            : updated.Any(m => m.State == PlanState.Failed) ? PlanState.Failed
            : PlanState.Succeeded;
        var error = state == PlanState.Failed
            ? string.Join("; ", updated.Where(m => m.State == PlanState.Failed).Select(m => $"move {m.Index} ({m.Slots} {m.SourceEndpoint} → {m.TargetEndpoint}): {m.Message}"))
            : plan.Error;
        var runTime = plan.RunTimeBefore + (plan.State == PlanState.Running && plan.StartedAt is { } started ? now - started : TimeSpan.Zero);
        return plan with
        {
            Moves = updated,
            State = state,
            KeysMoved = keysMoved,
            BytesMoved = bytesMoved,
            Progress = state == PlanState.Succeeded ? 1.0 : Math.Round(Fraction(updated), 4),
            EtaSeconds = done ? null : Eta(updated, runTime),
            FinishedAt = done ? plan.FinishedAt ?? now : null,
            Error = error,
        };
    }

    /// <summary>
    /// Pending moves that may start now, in plan order: at most <paramref name="free"/>, none from a source that is
    /// already exporting (Valkey cancels per source, so two moves from one source could not be cancelled apart) and
    /// one per source.
    /// </summary>
    public static ImmutableArray<PlanMove> Startable(Plan plan, IReadOnlySet<string> busySources, int free)
    {
        if (plan.State != PlanState.Running || plan.CancelRequested || free <= 0)
        {
            return [];
        }

        var busy = new HashSet<string>(busySources, StringComparer.OrdinalIgnoreCase);
        foreach (var running in plan.Moves.Where(m => m.State == PlanState.Running))
        {
            busy.Add(running.SourceNodeId);
        }

        var startable = ImmutableArray.CreateBuilder<PlanMove>();
        foreach (var move in plan.Moves.Where(m => m.State == PlanState.Pending))
        {
            if (startable.Count == free)
            {
                break;
            }

            if (busy.Add(move.SourceNodeId))
            {
                startable.Add(move);
            }
        }

        return startable.ToImmutable();
    }

    /// <summary>
    /// Why a move must not start any more, or null when it still may: every slot still with its source, the target
    /// still an online primary.
    /// </summary>
    public static string? Invalidated(PlanMove move, ClusterSnapshot snapshot)
    {
        var target = snapshot.FindNode(move.TargetNodeId);
        if (target is null || !target.IsPrimary || target.Health != NodeHealth.Online)
        {
            return $"skipped: the target {move.TargetEndpoint} is {(target is null ? "no longer in the cluster" : !target.IsPrimary ? "now a replica" : target.Health.ToString().ToLowerInvariant())}";
        }

        var elsewhere = move.Slots.Slots().Where(s => !string.Equals(snapshot.SlotOwners[s], move.SourceNodeId, StringComparison.OrdinalIgnoreCase)).ToList();
        return elsewhere.Count == 0
            ? null
            : $"skipped: slots {SlotRangeSet.FromSlots(elsewhere)} are no longer with {move.SourceEndpoint} (the cluster changed since the plan was made); nothing was forced";
    }

    private static double Fraction(ImmutableArray<PlanMove> moves)
    {
        var keys = moves.Where(m => m.State != PlanState.Skipped && m.State != PlanState.Cancelled).Sum(m => m.Keys);
        if (keys > 0)
        {
            return Math.Min(1.0, (double)moves.Sum(m => m.State == PlanState.Succeeded ? m.Keys : Math.Min(m.Keys, m.KeysMoved)) / keys);
        }

        var counted = moves.Count(m => m.State != PlanState.Skipped && m.State != PlanState.Cancelled);
        return counted == 0 ? 1.0 : (double)moves.Count(m => m.State == PlanState.Succeeded) / counted;
    }

    /// <summary>Seconds left at the pace measured so far (keys when the moves hold keys, else moves), null before anything moved.</summary>
    private static double? Eta(ImmutableArray<PlanMove> moves, TimeSpan runTime)
    {
        var fraction = Fraction(moves);
        if (fraction <= 0 || runTime <= TimeSpan.Zero)
        {
            return null;
        }

        return Math.Round(runTime.TotalSeconds * (1 - fraction) / fraction, 1);
    }
}
