using ValkeyDashboard.Cluster.Plans;

namespace ValkeyDashboard.Model;

/// <summary>
/// One page's view of the plans (<see cref="OperationBoard{T}"/>): the plan that runs or is paused (one at a time), the
/// one that just ended (shown with its outcome until dismissed or <see cref="FinishedShownFor"/> has passed), and the
/// latest finished ones for the history.
/// </summary>
public sealed class PlanBoard(IPlanCommands plans, Action onChanged, TimeProvider time)
    : OperationBoard<Plan>(plans.WatchAsync, () => plans.List(1, HistoryLoaded).Items, onChanged)
{
    /// <summary>How long a finished plan stays shown as the current one (with its outcome) unless dismissed.</summary>
    public static readonly TimeSpan FinishedShownFor = TimeSpan.FromMinutes(2);

    /// <summary>The newest finished plans the history shows.</summary>
    public const int HistoryShown = 10;

    /// <summary>Plans read from the service when the board starts (newest first); later ones arrive as changes.</summary>
    public const int HistoryLoaded = 50;

    /// <summary>The plan that runs or is paused, else the latest one that finished lately and was not dismissed.</summary>
    public Plan? Current
    {
        get
        {
            var now = time.GetUtcNow();
            return Read((all, dismissed) =>
                all.Where(p => !p.IsFinished).OrderBy(p => p.CreatedAt).FirstOrDefault()
                ?? all.Where(p => p.IsFinished && !dismissed.Contains(p.Id) && now - (p.FinishedAt ?? now) < FinishedShownFor)
                    .OrderByDescending(p => p.FinishedAt)
                    .FirstOrDefault());
        }
    }

    /// <summary>A plan runs or is paused: no other may start (the service refuses a second one).</summary>
    public bool HasActivePlan => Read((all, _) => all.Any(p => !p.IsFinished));

    /// <summary>The newest <see cref="HistoryShown"/> finished plans, newest first.</summary>
    public IReadOnlyList<Plan> HistoryItems => Finished(HistoryShown);

    /// <summary>Pauses a plan for <paramref name="requestedBy"/>; refusals (<see cref="Cluster.RequestRefusedException"/>) and failures reach the caller.</summary>
    public Task PauseAsync(string id, string requestedBy) => RunAsync(id, () => plans.PauseAsync(id, requestedBy));

    /// <summary>Resumes a paused plan; refusals and failures reach the caller.</summary>
    public Task ResumeAsync(string id, string requestedBy) => RunAsync(id, () => plans.ResumeAsync(id, requestedBy));

    /// <summary>Cancels a plan; refusals and failures reach the caller.</summary>
    public Task CancelAsync(string id, string requestedBy) => RunAsync(id, () => plans.CancelAsync(id, requestedBy));

    /// <summary>Shows a plan this page has just started at once, without waiting for the service's first update.</summary>
    public void Started(Plan plan) => Show(plan);
}
