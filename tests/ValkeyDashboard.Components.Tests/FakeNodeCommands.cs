using ValkeyDashboard.Cluster.Hosting;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// Hand-written node commands (no mocking library): records what the UI asked for, refuses or fails with
/// <see cref="Error"/> when the test sets it, and holds every command until <see cref="Release"/> while
/// <see cref="Hold"/> is set, so a test can look at the page with a command in flight.
/// </summary>
public sealed class FakeNodeCommands : INodeCommands
{
    private readonly Lock _gate = new();
    private readonly List<string> _requests = [];
    private TaskCompletionSource _released = NewGate();

    public bool IsAvailable { get; set; } = true;

    /// <summary>Thrown by every command (after it was recorded), e.g. a <see cref="Cluster.RequestRefusedException"/>.</summary>
    public Exception? Error { get; set; }

    /// <summary>Commands wait for <see cref="Release"/> before they end.</summary>
    public bool Hold { get; set; }

    /// <summary>What was asked, in order: "stop {id} by {who}", "start {id} by {who}", "add {role} {primaryId} by {who}", "join …", "remove {id} by {who}",
    /// "preview restart {id} failBack={b}", "restart {id} failBack={b} by {who}".</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Lets the held commands end.</summary>
    public void Release()
    {
        lock (_gate)
        {
            _released.TrySetResult();
            _released = NewGate();
        }
    }

    public Task StopAsync(string nodeId, string requestedBy, CancellationToken cancellationToken = default) =>
        RunAsync($"stop {nodeId} by {requestedBy}");

    public Task StartAsync(string nodeId, string requestedBy, CancellationToken cancellationToken = default) =>
        RunAsync($"start {nodeId} by {requestedBy}");

    public async Task<string> AddAsync(string? role, string? primaryId, string requestedBy, CancellationToken cancellationToken = default)
    {
        await RunAsync($"add {role} {primaryId ?? "-"} by {requestedBy}");
        return "127.0.0.1:7006";
    }

    public async Task<string> JoinAsync(string? endpoint, string? role, string? primaryId, string requestedBy, CancellationToken cancellationToken = default)
    {
        await RunAsync($"join {endpoint} {role} {primaryId ?? "-"} by {requestedBy}");
        return endpoint ?? string.Empty;
    }

    /// <summary>What <see cref="PreviewRestartAsync"/> answers for a node id (default: an in-place restart of a replica).</summary>
    public Func<string, bool, Cluster.Restarts.RestartPlan> RestartPlan { get; set; } = (id, _) =>
        new(id, "127.0.0.1:7003", Cluster.Restarts.RestartKind.Replica, null, null, $"restart replica {id} in place");

    public async Task<Cluster.Restarts.RestartPlan> PreviewRestartAsync(string nodeId, bool failBack, CancellationToken cancellationToken = default)
    {
        await RunAsync($"preview restart {nodeId} failBack={failBack}");
        return RestartPlan(nodeId, failBack);
    }

    public async Task<Cluster.Model.ClusterNode> RestartAsync(string nodeId, bool failBack, string requestedBy, CancellationToken cancellationToken = default)
    {
        await RunAsync($"restart {nodeId} failBack={failBack} by {requestedBy}");
        var plan = RestartPlan(nodeId, failBack);
        return new Cluster.Model.ClusterNode(nodeId, plan.Endpoint, Cluster.Model.NodeRole.Replica, plan.FailoverToId, Cluster.Model.NodeHealth.Online, "9.0.0",
            Cluster.Model.SlotRangeSet.Empty, 0, 0, 0, "shard", 0);
    }

    public Task RemoveAsync(string nodeId, string requestedBy, CancellationToken cancellationToken = default) =>
        RunAsync($"remove {nodeId} by {requestedBy}");

    private async Task RunAsync(string request)
    {
        Task released;
        lock (_gate)
        {
            _requests.Add(request);
            released = _released.Task;
        }

        if (Hold)
        {
            await released;
        }

        if (Error is { } error)
        {
            throw error;
        }
    }

    private static TaskCompletionSource NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
