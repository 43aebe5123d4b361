using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Text;

namespace ValkeyDashboard.Cluster.Plans;

/// <summary>
/// Runs plans: every <see cref="PlanOptions.RunInterval"/> it brings each unfinished plan up to date with its moves'
/// migrations (<see cref="PlanProgress.Reconcile"/>), starts the moves that may start (distinct sources, within
/// <c>Migrations:MaxConcurrentMigrations</c>) after checking that the cluster still matches the plan, and cancels the
/// running ones of a plan asked to cancel. Every move is an ordinary migration (in the history, linked to its plan)
/// started with an idempotency key of its own, so nothing runs twice. A plan found running when the dashboard starts
/// is paused, with a message, until an operator resumes it.
/// </summary>
public sealed class PlanRunner(
    PlanRegistry plans,
    ISlotMigrations migrations,
    MigrationRegistry migrationRegistry,
    ClusterMonitor monitor,
    IOptions<PlanOptions> options,
    IOptions<SlotMigrationOptions> migrationOptions,
    TimeProvider time,
    ILogger<PlanRunner> logger) : BackgroundService
{
    private readonly System.Threading.Channels.Channel<bool> _moveEnded = System.Threading.Channels.Channel.CreateBounded<bool>(
        new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });

    /// <summary>Plans the runner already asked to cancel their migrations.</summary>
    private readonly HashSet<string> _cancelSent = new(StringComparer.Ordinal);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var plan in plans.Active.Where(p => p.State == PlanState.Running && !p.CancelRequested))
        {
            logger.LogWarning("Plan {PlanId} was running when the dashboard stopped; it is paused until an operator resumes it", plan.Id);
            var now = time.GetUtcNow();
            var paused = plans.Update(plan.Id, p => p with
            {
                State = PlanState.Paused,
                RunTimeBefore = p.RunTimeBefore + (now - (p.StartedAt ?? now)),
                Error = "paused: the dashboard restarted while this plan ran; the moves that were running finish on their own; resume to continue",
            });
            await plans.SaveAsync(paused, cancellationToken);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(RunAsync(stoppingToken), WakeOnMovesEndingAsync(stoppingToken));

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var active = plans.Active;
                if (active.Count == 0)
                {
                    // Nothing to run: sleep until a plan is added instead of looking five times a second.
                    await plans.WaitForWorkAsync(stoppingToken);
                    continue;
                }

                foreach (var plan in active)
                {
                    try
                    {
                        await StepAsync(plan.Id, stoppingToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        logger.LogWarning("Could not advance plan {PlanId} this round: {Reason}", plan.Id, ErrorText.Brief(ex));
                    }
                }

                // The next round after the interval, or at once when a move's migration ends (the next move starts
                // without waiting out the interval, and the plan's end shows as soon as its last move's).
                using var round = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var woken = _moveEnded.Reader.WaitToReadAsync(round.Token).AsTask();
                await Task.WhenAny(Task.Delay(options.Value.RunInterval, time, round.Token), woken);
                await round.CancelAsync();
                while (_moveEnded.Reader.TryRead(out _))
                {
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Wakes the loop when a migration that belongs to a plan ends.</summary>
    private async Task WakeOnMovesEndingAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var migration in migrationRegistry.WatchAsync(stoppingToken))
            {
                if (migration.PlanId is not null && migration.IsFinished)
                {
                    _moveEnded.Writer.TryWrite(true);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task StepAsync(string id, CancellationToken cancellationToken)
    {
        var plan = await ReconcileAsync(id, cancellationToken);
        if (plan.CancelRequested)
        {
            await CancelRunningAsync(plan);
        }

        var busy = migrationRegistry.Active.SelectMany(m => m.Jobs).Where(j => !j.IsFinished).Select(j => j.SourceNodeId).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var free = migrationOptions.Value.MaxConcurrentMigrations - migrationRegistry.Active.Count;
        var startable = PlanProgress.Startable(plan, busy, free);
        if (!startable.IsEmpty)
        {
            var snapshot = await monitor.RefreshTopologyAsync(cancellationToken);
            foreach (var move in startable)
            {
                await StartMoveAsync(plan, move, PlanProgress.Invalidated(move, snapshot), cancellationToken);
            }

            plan = await ReconcileAsync(id, cancellationToken);
        }

        if (plan.IsFinished)
        {
            _cancelSent.RemoveWhere(key => key.StartsWith(id + "/", StringComparison.Ordinal));
            logger.LogInformation("Plan {PlanId} ({Kind} by {Metric}) {State}: {KeysMoved} keys, {BytesMoved} bytes in {Moves} move(s){Error}",
                id, plan.Kind, plan.Metric, plan.State, plan.KeysMoved, plan.BytesMoved, plan.Moves.Length, plan.Error is null ? string.Empty : " (" + plan.Error + ")");
        }
    }

    /// <summary>
    /// Brings the plan up to date with its migrations; publishes it every round while it runs (watchers see progress and
    /// ETA live, several times a second) and whenever it changed; saves it when more than the ETA changed.
    /// </summary>
    private async Task<Plan> ReconcileAsync(string id, CancellationToken cancellationToken)
    {
        var changed = false;
        var plan = plans.Update(
            id,
            p => PlanProgress.Reconcile(p, migrationRegistry.Find, migrationRegistry.FindByIdempotencyKey, time.GetUtcNow()),
            (before, after) =>
            {
                changed = Differs(before, after);
                return changed || after.State == PlanState.Running;
            });
        if (changed)
        {
            await plans.SaveAsync(plan, cancellationToken);
        }

        return plan;
    }

    private static bool Differs(Plan before, Plan after) =>
        before.State != after.State || before.Error != after.Error || before.KeysMoved != after.KeysMoved || before.BytesMoved != after.BytesMoved ||
        !before.Moves.Select(m => (m.State, m.MigrationId, m.Message, m.KeysMoved)).SequenceEqual(after.Moves.Select(m => (m.State, m.MigrationId, m.Message, m.KeysMoved)));

    private async Task StartMoveAsync(Plan plan, PlanMove move, string? invalidated, CancellationToken cancellationToken)
    {
        if (invalidated is not null)
        {
            logger.LogWarning("Plan {PlanId} skips move {Index} ({Slots} {Source} -> {Target}): {Reason}", plan.Id, move.Index, move.Slots.ToString(), move.SourceEndpoint, move.TargetEndpoint, invalidated);
            await SetMoveAsync(plan.Id, move.Index, m => m with { State = PlanState.Skipped, Message = invalidated, FinishedAt = time.GetUtcNow() });
            return;
        }

        try
        {
            var request = new MigrationRequest(move.Slots, move.TargetNodeId, plan.RequestedBy, PlanMove.MigrationKey(plan.Id, move.Index), plan.Id, plan.Engine);
            var start = await migrations.StartAsync(request, cancellationToken);
            await SetMoveAsync(plan.Id, move.Index, m => m with { State = PlanState.Running, MigrationId = start.Migration.Id, StartedAt = time.GetUtcNow(), Message = null });
        }
        catch (RequestRefusedException ex) when (ex.Kind == RefusalKind.Conflict)
        {
            // Not now (another migration holds a node, the cluster is not ok): the move waits for a later round.
            await SetMoveAsync(plan.Id, move.Index, m => m with { Message = $"waiting: {ex.Message}" });
        }
        catch (RequestRefusedException ex)
        {
            await SetMoveAsync(plan.Id, move.Index, m => m with { State = PlanState.Failed, Message = ex.Message, FinishedAt = time.GetUtcNow() });
        }
    }

    private async Task CancelRunningAsync(Plan plan)
    {
        foreach (var move in plan.Moves.Where(m => m.State == PlanState.Running && m.MigrationId is not null))
        {
            if (!_cancelSent.Add($"{plan.Id}/{move.MigrationId}"))
            {
                continue;
            }

            try
            {
                await migrations.CancelAsync(move.MigrationId!, plan.RequestedBy);
            }
            catch (RequestRefusedException ex)
            {
                // Finished meanwhile, or its source exports for something else; it ends on its own.
                logger.LogInformation("Cancelling migration {MigrationId} of plan {PlanId}: {Reason}", move.MigrationId, plan.Id, ex.Message);
            }
        }
    }

    private async Task SetMoveAsync(string planId, int index, Func<PlanMove, PlanMove> change)
    {
        var plan = plans.Update(planId, p => p with { Moves = p.Moves.SetItem(index, change(p.Moves[index])) });
        await plans.SaveAsync(plan);
    }
}
