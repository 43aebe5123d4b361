using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Audit;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Text;

namespace ValkeyDashboard.Cluster.Plans;

/// <summary>
/// What may be asked of plans — preview, start, pause, resume, cancel — checked against the live cluster, recorded in
/// the plan registry and the audit log; <see cref="PlanRunner"/> carries the moves out as migrations. The REST API and
/// the page both go through this class.
/// </summary>
public sealed class PlanCommands(
    PlanRegistry plans,
    PlanInputs inputs,
    MigrationRegistry migrations,
    AuditLog audit,
    IOptions<PlanOptions> options,
    IOptions<SlotMigrationOptions> migrationOptions,
    TimeProvider time) : IPlanCommands, IDisposable
{
    /// <summary>Bytes a second assumed for the estimate until this dashboard has measured migrations itself.</summary>
    private const double AssumedBytesPerSecond = 50 * 1024 * 1024;

    /// <summary>Seconds one migration takes beyond its bytes (start, handshake, hand-over), for the estimate.</summary>
    private const double SecondsPerMove = 0.5;

    private readonly SemaphoreSlim _startLock = new(1, 1);

    public IReadOnlyList<Plan> Active => plans.Active;

    public Plan? Find(string id) => plans.Find(id);

    public (IReadOnlyList<Plan> Items, int Total) List(int page, int pageSize) => plans.List(page, pageSize);

    public IAsyncEnumerable<Plan> WatchAsync(CancellationToken cancellationToken = default) => plans.WatchAsync(cancellationToken);

    public Task<Plan> WaitForAsync(string id, Func<Plan, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        plans.WaitForAsync(id, predicate, timeout, cancellationToken);

    /// <summary>The plan a request would run, computed from the cluster as it is now; nothing is started.</summary>
    public async Task<PlanPreview> PreviewAsync(PlanRequest request, CancellationToken cancellationToken = default)
    {
        var gathered = await inputs.GatherAsync(request.Metric, cancellationToken);
        var goal = Goal(request, gathered.Snapshot);
        var result = LoadPlanner.Plan(gathered.Input, goal);
        var warnings = gathered.Notes.AddRange(result.Warnings);
        if (result.Moves.IsEmpty && result.Warnings.IsEmpty)
        {
            warnings = warnings.Add(request.Kind == PlanKind.Drain
                ? "nothing to move: the primaries to drain hold no slots"
                : $"nothing to move: every primary is within {goal.Threshold:P0} of its target");
        }

        return new PlanPreview(request.Kind, request.Metric, goal.Threshold, result.Moves, result.Nodes, Round(result.ImbalanceBefore), Round(result.ImbalanceAfter),
            result.KeysToMove, result.BytesToMove, Math.Round(EstimateSeconds(result), 1), warnings);
    }

    /// <summary>Starts a plan (or returns the one an earlier request with the same idempotency key started). Audited.</summary>
    public Task<(Plan Plan, bool Created)> StartAsync(PlanRequest request, CancellationToken cancellationToken = default) =>
        audit.RunAsync(
            request.RequestedBy, AuditActions.PlanStart, Describe(request),
            () => StartCoreAsync(request, cancellationToken),
            start => start.Created
                ? $"plan {start.Plan.Id}: {start.Plan.Moves.Length} move(s), {start.Plan.KeysToMove:N0} keys, imbalance {start.Plan.ImbalanceBefore:0.###} → {start.Plan.ImbalanceAfter:0.###}"
                : $"plan {start.Plan.Id} (a retry with the same Idempotency-Key: nothing new started)");

    /// <summary>Finishes the running moves and starts no more until resumed. Audited.</summary>
    public Task<Plan> PauseAsync(string id, string requestedBy) =>
        audit.RunAsync(requestedBy, AuditActions.PlanPause, id, () => ChangeAsync(id, plan =>
        {
            if (plan.State != PlanState.Running || plan.CancelRequested)
            {
                throw RequestRefusedException.Conflict($"plan {id} is {StateText(plan)}; only a running plan can be paused");
            }

            var now = time.GetUtcNow();
            return plan with { State = PlanState.Paused, RunTimeBefore = plan.RunTimeBefore + (now - (plan.StartedAt ?? now)), Error = $"paused by {requestedBy}" };
        }), plan => $"{plan.Moves.Count(m => m.State == PlanState.Running)} move(s) still finishing");

    /// <summary>Starts moves again. Audited.</summary>
    public Task<Plan> ResumeAsync(string id, string requestedBy) =>
        audit.RunAsync(requestedBy, AuditActions.PlanResume, id, () => ChangeAsync(id, plan =>
        {
            if (plan.State != PlanState.Paused || plan.CancelRequested)
            {
                throw RequestRefusedException.Conflict($"plan {id} is {StateText(plan)}; only a paused plan can be resumed");
            }

            return plan with { State = PlanState.Running, StartedAt = time.GetUtcNow(), Error = null };
        }), plan => $"{plan.Moves.Count(m => m.State == PlanState.Pending)} move(s) to go");

    /// <summary>Cancels the running moves' migrations and starts no more; what already moved stays moved. Audited.</summary>
    public Task<Plan> CancelAsync(string id, string requestedBy) =>
        audit.RunAsync(requestedBy, AuditActions.PlanCancel, id, () => ChangeAsync(id, plan =>
        {
            if (plan.IsFinished || plan.CancelRequested)
            {
                throw RequestRefusedException.Conflict($"plan {id} is {StateText(plan)}; only a running or paused plan can be cancelled");
            }

            return plan with { CancelRequested = true, Error = $"cancelled by {requestedBy}" };
        }), plan => $"{plan.Moves.Count(m => m.State == PlanState.Succeeded)} move(s) had finished");

    public void Dispose() => _startLock.Dispose();

    private async Task<(Plan Plan, bool Created)> StartCoreAsync(PlanRequest request, CancellationToken cancellationToken)
    {
        await _startLock.WaitAsync(cancellationToken);
        try
        {
            if (request.IdempotencyKey is { Length: > 0 } key && plans.FindByIdempotencyKey(key) is { } existing)
            {
                if (existing.Kind != request.Kind || existing.Metric != request.Metric || !existing.NodeIds.SequenceEqual(request.NodeIds))
                {
                    throw RequestRefusedException.Conflict($"Idempotency-Key \"{key}\" was used for a different request (plan {existing.Id}: {existing.Kind.ToString().ToLowerInvariant()} by {existing.Metric.ToString().ToLowerInvariant()})");
                }

                return (existing, false);
            }

            if (plans.Active is [var running, ..])
            {
                throw RequestRefusedException.Conflict(
                    $"plan {running.Id} ({running.Kind.ToString().ToLowerInvariant()} by {running.Metric.ToString().ToLowerInvariant()}) is {StateText(running)}; one plan runs at a time: wait for it, or cancel it");
            }

            var preview = await PreviewAsync(request, cancellationToken);
            var now = time.GetUtcNow();
            var plan = new Plan
            {
                Id = Guid.CreateVersion7().ToString("N"),
                Kind = request.Kind,
                Metric = request.Metric,
                Threshold = preview.Threshold,
                NodeIds = request.NodeIds,
                Weights = request.Weights,
                Engine = request.Engine,
                State = preview.Moves.IsEmpty ? PlanState.Succeeded : PlanState.Running,
                Moves = [.. preview.Moves.Select((m, i) => new PlanMove
                {
                    Index = i,
                    SourceNodeId = m.SourceNodeId,
                    SourceEndpoint = m.SourceEndpoint,
                    TargetNodeId = m.TargetNodeId,
                    TargetEndpoint = m.TargetEndpoint,
                    Slots = m.Slots,
                    Keys = m.Keys,
                    Bytes = m.Bytes,
                })],
                Nodes = preview.Nodes,
                ImbalanceBefore = preview.ImbalanceBefore,
                ImbalanceAfter = preview.ImbalanceAfter,
                KeysToMove = preview.KeysToMove,
                BytesToMove = preview.BytesToMove,
                Progress = preview.Moves.IsEmpty ? 1 : 0,
                Warnings = preview.Warnings,
                CreatedAt = now,
                StartedAt = now,
                FinishedAt = preview.Moves.IsEmpty ? now : null,
                RequestedBy = request.RequestedBy,
                IdempotencyKey = request.IdempotencyKey,
            };
            await plans.AddAsync(plan, cancellationToken);
            return (plan, true);
        }
        finally
        {
            _startLock.Release();
        }
    }

    private async Task<Plan> ChangeAsync(string id, Func<Plan, Plan> change)
    {
        _ = plans.Find(id) ?? throw RequestRefusedException.NotFound($"there is no plan {ErrorText.Clip(id, 64)}");
        var updated = plans.Update(id, change);
        await plans.SaveAsync(updated);
        return updated;
    }

    /// <summary>Checks the request against the cluster (400 for what can never work) and makes the planner's goal.</summary>
    private PlannerGoal Goal(PlanRequest request, ClusterSnapshot snapshot)
    {
        var threshold = request.Threshold ?? options.Value.DefaultThreshold;
        if (double.IsNaN(threshold) || threshold is < 0 or > 0.5)
        {
            throw RequestRefusedException.Invalid($"threshold must be between 0 and 0.5 (a share of each primary's target: 0.02 is 2%), got {threshold}");
        }

        foreach (var (nodeId, weight) in request.Weights)
        {
            RequirePrimary(snapshot, nodeId, "weights");
            if (double.IsNaN(weight) || double.IsInfinity(weight) || weight < 0)
            {
                throw RequestRefusedException.Invalid($"weights: the weight of {MigrationPlanner.Short(nodeId)} must be 0 or more, got {weight}");
            }
        }

        if (request.Kind == PlanKind.Drain)
        {
            if (request.NodeIds.IsEmpty)
            {
                throw RequestRefusedException.Invalid("nodeIds: a drain needs the ids of the primaries to empty");
            }

            foreach (var nodeId in request.NodeIds)
            {
                RequirePrimary(snapshot, nodeId, "nodeIds");
            }

            var drained = request.NodeIds.ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (!snapshot.Primaries.Any(p => p.Health == NodeHealth.Online && !drained.Contains(p.Id) && request.Weights.GetValueOrDefault(p.Id, 1) > 0))
            {
                throw RequestRefusedException.Invalid("nodeIds: draining these primaries would leave no online primary to take their slots");
            }
        }
        else if (!request.NodeIds.IsEmpty)
        {
            throw RequestRefusedException.Invalid("nodeIds names the primaries to empty and is only for a drain; a rebalance uses weights (a weight of 0 empties a primary)");
        }

        return new PlannerGoal(request.Kind, request.Metric, [.. request.NodeIds], request.Weights, threshold, options.Value.MemoryHeadroom);
    }

    private static void RequirePrimary(ClusterSnapshot snapshot, string nodeId, string field)
    {
        var node = snapshot.FindNode(nodeId) ?? throw RequestRefusedException.Invalid($"{field}: {ErrorText.Clip(nodeId, 48)} is not a node of this cluster");
        if (!node.IsPrimary)
        {
            throw RequestRefusedException.Invalid($"{field}: {MigrationPlanner.Short(node.Id)} ({node.Endpoint}) is a replica; plans move slots between primaries");
        }
    }

    /// <summary>Bytes over the throughput this dashboard measured in its own migrations (or a conservative assumption), plus a fixed cost per move.</summary>
    private double EstimateSeconds(PlannerResult result)
    {
        var measured = migrations.List(1, 200).Items.Where(m => m.State == MigrationState.Succeeded && m.BytesMoved > 0 && m.Duration is { TotalSeconds: > 0 }).ToList();
        var throughput = measured.Count > 0 ? measured.Sum(m => m.BytesMoved) / measured.Sum(m => m.Duration!.Value.TotalSeconds) : AssumedBytesPerSecond;
        var parallel = Math.Max(1, Math.Min(migrationOptions.Value.MaxConcurrentMigrations, result.Moves.Select(m => m.SourceNodeId).Distinct().Count()));
        return (result.BytesToMove / throughput) + (result.Moves.Length * SecondsPerMove / parallel);
    }

    private static string Describe(PlanRequest request) =>
        $"{request.Kind.ToString().ToLowerInvariant()} by {request.Metric.ToString().ToLowerInvariant()}" +
        (request.NodeIds.IsEmpty ? string.Empty : $" of {string.Join(", ", request.NodeIds.Select(MigrationPlanner.Short))}");

    private static string StateText(Plan plan) => plan.CancelRequested && !plan.IsFinished ? "being cancelled" : plan.State.ToString().ToLowerInvariant();

    private static double Round(double value) => Math.Round(value, 4);
}
