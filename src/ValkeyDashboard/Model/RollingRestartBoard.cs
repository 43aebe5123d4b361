using ValkeyDashboard.Cluster.Restarts;

namespace ValkeyDashboard.Model;

/// <summary>
/// One page's view of the rolling restarts (<see cref="OperationBoard{T}"/>): the one that runs or is paused (one at a
/// time), else the last one this page saw running or started, shown with its outcome until dismissed. It starts from
/// the ones active when it is created.
/// </summary>
public sealed class RollingRestartBoard(IRollingRestarts restarts, Action onChanged)
    : OperationBoard<RollingRestart>(restarts.WatchAsync, () => restarts.Active, onChanged)
{
    /// <summary>The rolling restart that runs or is paused, else the latest one seen here that has not been dismissed.</summary>
    public RollingRestart? Current => Read((all, dismissed) =>
        all.Where(r => !r.IsFinished).OrderBy(r => r.CreatedAt).FirstOrDefault()
        ?? all.Where(r => !dismissed.Contains(r.Id)).OrderByDescending(r => r.CreatedAt).FirstOrDefault());

    /// <summary>A rolling restart runs or is paused: no other may start, and no single node restarts meanwhile.</summary>
    public bool IsActive => Read((all, _) => all.Any(r => !r.IsFinished));

    /// <summary>Pauses a rolling restart for <paramref name="requestedBy"/>; refusals (<see cref="Cluster.RequestRefusedException"/>) and failures reach the caller.</summary>
    public Task PauseAsync(string id, string requestedBy) => RunAsync(id, () => restarts.PauseAsync(id, requestedBy));

    /// <summary>Resumes a paused rolling restart; refusals and failures reach the caller.</summary>
    public Task ResumeAsync(string id, string requestedBy) => RunAsync(id, () => restarts.ResumeAsync(id, requestedBy));

    /// <summary>Cancels a rolling restart between two nodes; refusals and failures reach the caller.</summary>
    public Task CancelAsync(string id, string requestedBy) => RunAsync(id, () => restarts.CancelAsync(id, requestedBy));

    /// <summary>Shows a rolling restart this page has just started at once, without waiting for the service's first update.</summary>
    public void Started(RollingRestart rollingRestart) => Show(rollingRestart);
}
