using ValkeyDashboard.Cluster.Plans;

namespace ValkeyDashboard.Model;

/// <summary>
/// One page's view of the plans: the plan that runs or is paused (one at a time), the one that just ended (shown with
/// its outcome until dismissed or <see cref="FinishedShownFor"/> has passed), and the latest finished ones for the
/// history. Follows <see cref="IPlanCommands.WatchAsync"/> from the moment it is created, so every browser sees every
/// change live; what is dismissed and which commands are on their way belong to this page only. Dispose it with the page.
/// </summary>
public sealed class PlanBoard : IAsyncDisposable
{
    /// <summary>How long a finished plan stays shown as the current one (with its outcome) unless dismissed.</summary>
    public static readonly TimeSpan FinishedShownFor = TimeSpan.FromMinutes(2);

    /// <summary>The newest finished plans the history shows.</summary>
    public const int HistoryShown = 10;

    /// <summary>Plans read from the service when the board starts (newest first); later ones arrive as changes.</summary>
    public const int HistoryLoaded = 50;

    private readonly IPlanCommands _plans;
    private readonly Action _onChanged;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _cts = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Plan> _all = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dismissed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly Task _follow;
    private int _disposed;

    /// <param name="plans">The plan service.</param>
    /// <param name="onChanged">Called after the board changed, not on the renderer's thread (e.g. to ask for a render).</param>
    /// <param name="time">The clock that decides when a finished plan stops being the current one.</param>
    public PlanBoard(IPlanCommands plans, Action onChanged, TimeProvider time)
    {
        _plans = plans;
        _onChanged = onChanged;
        _time = time;
        _follow = FollowAsync(_cts.Token);
    }

    /// <summary>The plan that runs or is paused, else the latest one that finished lately and was not dismissed.</summary>
    public Plan? Current
    {
        get
        {
            var now = _time.GetUtcNow();
            lock (_gate)
            {
                return _all.Values.Where(p => !p.IsFinished).OrderBy(p => p.CreatedAt).FirstOrDefault()
                    ?? _all.Values
                        .Where(p => p.IsFinished && !_dismissed.Contains(p.Id) && now - (p.FinishedAt ?? now) < FinishedShownFor)
                        .OrderByDescending(p => p.FinishedAt)
                        .FirstOrDefault();
            }
        }
    }

    /// <summary>A plan runs or is paused: no other may start (the service refuses a second one).</summary>
    public bool HasActivePlan => Locked(() => _all.Values.Any(p => !p.IsFinished));

    /// <summary>The newest <see cref="HistoryShown"/> finished plans, newest first.</summary>
    public IReadOnlyList<Plan> HistoryItems => Locked(() => (IReadOnlyList<Plan>)[.. _all.Values.Where(p => p.IsFinished).OrderByDescending(p => p.CreatedAt).Take(HistoryShown)]);

    /// <summary>How many finished plans the board knows.</summary>
    public int FinishedCount => Locked(() => _all.Values.Count(p => p.IsFinished));

    /// <summary>Plans this page asked to pause, resume or cancel whose answer has not come yet.</summary>
    public IReadOnlySet<string> InFlight => Locked(() => (IReadOnlySet<string>)new HashSet<string>(_inFlight, StringComparer.Ordinal));

    /// <summary>Pauses a plan for <paramref name="requestedBy"/>; refusals (<see cref="Cluster.RequestRefusedException"/>) and failures reach the caller.</summary>
    public Task PauseAsync(string id, string requestedBy) => RunAsync(id, () => _plans.PauseAsync(id, requestedBy));

    /// <summary>Resumes a paused plan; refusals and failures reach the caller.</summary>
    public Task ResumeAsync(string id, string requestedBy) => RunAsync(id, () => _plans.ResumeAsync(id, requestedBy));

    /// <summary>Cancels a plan; refusals and failures reach the caller.</summary>
    public Task CancelAsync(string id, string requestedBy) => RunAsync(id, () => _plans.CancelAsync(id, requestedBy));

    /// <summary>Stops showing a finished plan as the current one (it stays in the history).</summary>
    public void Dismiss(string id)
    {
        lock (_gate)
        {
            _dismissed.Add(id);
        }

        _onChanged();
    }

    /// <summary>Shows a plan this page has just started at once, without waiting for the service's first update.</summary>
    public void Started(Plan plan)
    {
        lock (_gate)
        {
            _dismissed.Remove(plan.Id);
        }

        Record(plan);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _cts.CancelAsync();
        await _follow;
        _cts.Dispose();
    }

    private async Task RunAsync(string id, Func<Task<Plan>> command)
    {
        lock (_gate)
        {
            if (!_inFlight.Add(id))
            {
                return;
            }
        }

        _onChanged();
        try
        {
            Record(await command());
        }
        finally
        {
            lock (_gate)
            {
                _inFlight.Remove(id);
            }

            _onChanged();
        }
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            // Subscribed first, then the list read: a change in between arrives twice, never not at all.
            await using var updates = _plans.WatchAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            var next = updates.MoveNextAsync();
            lock (_gate)
            {
                foreach (var plan in _plans.List(1, HistoryLoaded).Items)
                {
                    _all.TryAdd(plan.Id, plan);
                }
            }

            _onChanged();
            while (await next)
            {
                Record(updates.Current);
                next = updates.MoveNextAsync();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Record(Plan plan)
    {
        lock (_gate)
        {
            // An answer to a command can arrive after a newer update from the stream: the later state wins.
            if (!_all.TryGetValue(plan.Id, out var known) || !known.IsFinished || plan.IsFinished)
            {
                _all[plan.Id] = plan;
            }
        }

        _onChanged();
    }

    private T Locked<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }
}
