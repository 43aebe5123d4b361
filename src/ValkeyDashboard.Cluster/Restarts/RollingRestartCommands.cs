using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Audit;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Restarts;

/// <summary>What an operator asks of a rolling restart.</summary>
/// <param name="NodeIds">The nodes to restart; every node of the cluster when empty.</param>
/// <param name="FailBack">Each former primary takes its shard back after its restart.</param>
/// <param name="RequestedBy">Who asks.</param>
/// <param name="IdempotencyKey">A retry with the same key returns the same rolling restart and starts nothing.</param>
public sealed record RollingRestartRequest(ImmutableArray<string> NodeIds, bool FailBack, string RequestedBy, string? IdempotencyKey = null);

/// <summary>Rolling restarts as the UI and the API see them (component tests use a hand-written fake).</summary>
public interface IRollingRestarts
{
    IReadOnlyList<RollingRestart> Active { get; }

    RollingRestart? Find(string id);

    (IReadOnlyList<RollingRestart> Items, int Total) List(int page, int pageSize);

    IAsyncEnumerable<RollingRestart> WatchAsync(CancellationToken cancellationToken = default);

    Task<RollingRestart> WaitForAsync(string id, Func<RollingRestart, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>The steps a rolling restart of <paramref name="nodeIds"/> would take, in order, each with what it does; nothing starts.</summary>
    Task<ImmutableArray<RestartStep>> PreviewAsync(ImmutableArray<string> nodeIds, bool failBack, CancellationToken cancellationToken = default);

    Task<(RollingRestart RollingRestart, bool Created)> StartAsync(RollingRestartRequest request, CancellationToken cancellationToken = default);

    Task<RollingRestart> PauseAsync(string id, string requestedBy);

    Task<RollingRestart> ResumeAsync(string id, string requestedBy);

    Task<RollingRestart> CancelAsync(string id, string requestedBy);
}

/// <summary>
/// Plans, starts, pauses, resumes and cancels rolling restarts, checked against the live cluster and audited;
/// <see cref="RollingRestartRunner"/> carries them out one node at a time through <see cref="NodeRestarter"/>.
/// </summary>
public sealed class RollingRestartCommands(RollingRestartRegistry registry, NodeRestarter restarter, AuditLog audit, TimeProvider time) : IRollingRestarts, IDisposable
{
    private readonly SemaphoreSlim _startLock = new(1, 1);

    public IReadOnlyList<RollingRestart> Active => registry.Active;

    public RollingRestart? Find(string id) => registry.Find(id);

    public (IReadOnlyList<RollingRestart> Items, int Total) List(int page, int pageSize) => registry.List(page, pageSize);

    public IAsyncEnumerable<RollingRestart> WatchAsync(CancellationToken cancellationToken = default) => registry.WatchAsync(cancellationToken);

    public Task<RollingRestart> WaitForAsync(string id, Func<RollingRestart, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        registry.WaitForAsync(id, predicate, timeout, cancellationToken);

    public async Task<ImmutableArray<RestartStep>> PreviewAsync(ImmutableArray<string> nodeIds, bool failBack, CancellationToken cancellationToken = default)
    {
        var snapshot = await restarter.RefreshAsync(cancellationToken);
        var unknown = nodeIds.Where(id => snapshot.FindNode(id) is null).ToList();
        if (unknown.Count > 0)
        {
            throw RequestRefusedException.NotFound($"no node {string.Join(", ", unknown.Select(Clip))} in this cluster");
        }

        var chosen = nodeIds.IsDefaultOrEmpty
            ? [.. snapshot.Nodes]
            : nodeIds.Distinct(StringComparer.OrdinalIgnoreCase).Select(id => snapshot.FindNode(id)!).ToList();

        // Replicas first, so that each primary, when its turn comes, hands over to a replica already restarted.
        var ordered = chosen.OrderBy(n => n.IsPrimary ? 1 : 0).ThenBy(n => n.Endpoint, StringComparer.Ordinal).ToList();
        var steps = ImmutableArray.CreateBuilder<RestartStep>();
        var refusals = new List<string>();
        foreach (var node in ordered)
        {
            try
            {
                var plan = await restarter.PreviewAsync(node.Id, failBack, cancellationToken);
                steps.Add(new RestartStep { NodeId = node.Id, Endpoint = node.Endpoint, Role = node.IsPrimary ? "primary" : "replica", Plan = plan.Description });
            }
            catch (RequestRefusedException ex)
            {
                refusals.Add(ex.Message);
            }
        }

        if (refusals.Count > 0)
        {
            throw RequestRefusedException.Conflict($"a rolling restart of these nodes cannot run now: {string.Join("; ", refusals)}");
        }

        return steps.ToImmutable();
    }

    public Task<(RollingRestart RollingRestart, bool Created)> StartAsync(RollingRestartRequest request, CancellationToken cancellationToken = default) =>
        audit.RunAsync(request.RequestedBy, AuditActions.RollingRestartStart,
            request.NodeIds.IsDefaultOrEmpty ? "every node" : string.Join(", ", request.NodeIds.Take(10).Select(Clip)) + (request.NodeIds.Length > 10 ? ", …" : string.Empty),
            () => StartCoreAsync(request, cancellationToken),
            start => start.Created
                ? $"rolling restart {start.RollingRestart.Id}: {start.RollingRestart.Steps.Length} node(s): {string.Join(", ", start.RollingRestart.Steps.Select(s => s.Endpoint))}"
                : $"rolling restart {start.RollingRestart.Id} (a retry with the same Idempotency-Key: nothing new started)");

    public Task<RollingRestart> PauseAsync(string id, string requestedBy) =>
        audit.RunAsync(requestedBy, AuditActions.RollingRestartPause, id, () => ChangeAsync(id, r =>
        {
            if (r.State != RollingRestartState.Running || r.PauseRequested || r.CancelRequested)
            {
                throw RequestRefusedException.Conflict($"rolling restart {id} is {StateText(r)}; only a running one can be paused");
            }

            return r with { PauseRequested = true, Error = $"pausing (asked by {requestedBy}) once the node being restarted is back" };
        }), r => $"{r.Steps.Count(s => s.State == RestartStepState.Pending)} node(s) still to restart");

    public Task<RollingRestart> ResumeAsync(string id, string requestedBy) =>
        audit.RunAsync(requestedBy, AuditActions.RollingRestartResume, id, () => ChangeAsync(id, r =>
        {
            if (r.State != RollingRestartState.Paused || r.CancelRequested)
            {
                throw RequestRefusedException.Conflict($"rolling restart {id} is {StateText(r)}; only a paused one can be resumed");
            }

            return r with { State = RollingRestartState.Running, PauseRequested = false, Error = null };
        }), r => $"{r.Steps.Count(s => s.State == RestartStepState.Pending)} node(s) to go");

    public Task<RollingRestart> CancelAsync(string id, string requestedBy) =>
        audit.RunAsync(requestedBy, AuditActions.RollingRestartCancel, id, () => ChangeAsync(id, r =>
        {
            if (r.IsFinished || r.CancelRequested)
            {
                throw RequestRefusedException.Conflict($"rolling restart {id} is {StateText(r)}; only a running or paused one can be cancelled");
            }

            return r with { CancelRequested = true, Error = $"cancelling (asked by {requestedBy}) once the node being restarted is back" };
        }), r => $"{r.Steps.Count(s => s.State == RestartStepState.Succeeded)} node(s) had been restarted");

    public void Dispose() => _startLock.Dispose();

    private async Task<(RollingRestart RollingRestart, bool Created)> StartCoreAsync(RollingRestartRequest request, CancellationToken cancellationToken)
    {
        await _startLock.WaitAsync(cancellationToken);
        try
        {
            if (request.IdempotencyKey is { Length: > 0 } key && registry.FindByIdempotencyKey(key) is { } existing)
            {
                return (existing, false);
            }

            if (registry.Active is [var running, ..])
            {
                throw RequestRefusedException.Conflict($"rolling restart {running.Id} is {StateText(running)}; one runs at a time: wait for it, or cancel it");
            }

            var steps = await PreviewAsync(request.NodeIds, request.FailBack, cancellationToken);
            var record = new RollingRestart
            {
                Id = Guid.CreateVersion7().ToString("N"),
                State = RollingRestartState.Running,
                Steps = steps,
                FailBack = request.FailBack,
                RequestedBy = request.RequestedBy,
                CreatedAt = time.GetUtcNow(),
                IdempotencyKey = request.IdempotencyKey,
            };
            await registry.AddAsync(record, cancellationToken);
            return (record, true);
        }
        finally
        {
            _startLock.Release();
        }
    }

    private async Task<RollingRestart> ChangeAsync(string id, Func<RollingRestart, RollingRestart> change)
    {
        if (registry.Find(id) is null)
        {
            throw RequestRefusedException.NotFound($"there is no rolling restart {Clip(id)}");
        }

        var changed = registry.Update(id, change);
        await registry.SaveAsync(changed);
        registry.Signal();
        return changed;
    }

    private static string StateText(RollingRestart r) =>
        r.CancelRequested && !r.IsFinished ? "cancelling" : r.PauseRequested && r.State == RollingRestartState.Running ? "pausing" : r.State.ToString().ToLowerInvariant();

    private static string Clip(string? text) => Text.ErrorText.Clip(text, 100, "(none)");
}
