namespace ValkeyDashboard.Cluster.Plans;

/// <summary>
/// What the UI may do with plans; <see cref="PlanCommands"/> is the one implementation (component tests use a
/// hand-written fake). Refusals are <see cref="RequestRefusedException"/>s; every change is audited.
/// </summary>
public interface IPlanCommands
{
    /// <summary>Plans that have not reached a final state, oldest first (at most one runs at a time).</summary>
    IReadOnlyList<Plan> Active { get; }

    Plan? Find(string id);

    /// <summary>Newest first, <paramref name="pageSize"/> per page, pages from 1.</summary>
    (IReadOnlyList<Plan> Items, int Total) List(int page, int pageSize);

    /// <summary>The plan a request would run, computed from the cluster as it is now; nothing is started.</summary>
    Task<PlanPreview> PreviewAsync(PlanRequest request, CancellationToken cancellationToken = default);

    /// <summary>Starts a plan (computed again from the cluster as it is now), or returns the one an earlier request with the same idempotency key started.</summary>
    Task<(Plan Plan, bool Created)> StartAsync(PlanRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lets the running moves finish and starts no more until resumed.</summary>
    Task<Plan> PauseAsync(string id, string requestedBy);

    /// <summary>Starts moves again.</summary>
    Task<Plan> ResumeAsync(string id, string requestedBy);

    /// <summary>Cancels the running moves and starts no more; what already moved stays moved.</summary>
    Task<Plan> CancelAsync(string id, string requestedBy);

    /// <summary>Every change of every plan from now on.</summary>
    IAsyncEnumerable<Plan> WatchAsync(CancellationToken cancellationToken = default);
}
