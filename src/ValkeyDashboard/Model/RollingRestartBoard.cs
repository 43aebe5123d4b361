using ValkeyDashboard.Cluster.Restarts;

namespace ValkeyDashboard.Model;

/// <summary>
/// One page's view of the rolling restarts: the one that runs or is paused (one at a time), else the last one this page
/// saw running or started, shown with its outcome until dismissed. Follows <see cref="IRollingRestarts.WatchAsync"/>
/// from the moment it is created (the ones active then first, then every change), so every browser sees each step live;
/// what is dismissed and which commands are on their way belong to this page only. Dispose it with the page.
/// </summary>
public sealed class RollingRestartBoard : IAsyncDisposable
{
    private readonly IRollingRestarts _restarts;
    private readonly Action _onChanged;
    private readonly CancellationTokenSource _cts = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RollingRestart> _seen = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dismissed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly Task _follow;
    private int _disposed;

    /// <param name="restarts">The rolling restart service.</param>
    /// <param name="onChanged">Called after the board changed, not on the renderer's thread (e.g. to ask for a render).</param>
    public RollingRestartBoard(IRollingRestarts restarts, Action onChanged)
    {
        _restarts = restarts;
        _onChanged = onChanged;
        _follow = FollowAsync(_cts.Token);
    }

    /// <summary>The rolling restart that runs or is paused, else the latest one seen here that has not been dismissed.</summary>
    public RollingRestart? Current => Locked(() =>
        _seen.Values.Where(r => !r.IsFinished).OrderBy(r => r.CreatedAt).FirstOrDefault()
        ?? _seen.Values.Where(r => !_dismissed.Contains(r.Id)).OrderByDescending(r => r.CreatedAt).FirstOrDefault());

    /// <summary>A rolling restart runs or is paused: no other may start, and no single node restarts meanwhile.</summary>
    public bool IsActive => Locked(() => _seen.Values.Any(r => !r.IsFinished));

    /// <summary>Rolling restarts this page asked to pause, resume or cancel whose answer has not come yet.</summary>
    public IReadOnlySet<string> InFlight => Locked(() => (IReadOnlySet<string>)new HashSet<string>(_inFlight, StringComparer.Ordinal));

    /// <summary>Pauses a rolling restart for <paramref name="requestedBy"/>; refusals (<see cref="Cluster.RequestRefusedException"/>) and failures reach the caller.</summary>
    public Task PauseAsync(string id, string requestedBy) => RunAsync(id, () => _restarts.PauseAsync(id, requestedBy));

    /// <summary>Resumes a paused rolling restart; refusals and failures reach the caller.</summary>
    public Task ResumeAsync(string id, string requestedBy) => RunAsync(id, () => _restarts.ResumeAsync(id, requestedBy));

    /// <summary>Cancels a rolling restart between two nodes; refusals and failures reach the caller.</summary>
    public Task CancelAsync(string id, string requestedBy) => RunAsync(id, () => _restarts.CancelAsync(id, requestedBy));

    /// <summary>Stops showing a finished rolling restart.</summary>
    public void Dismiss(string id)
    {
        lock (_gate)
        {
            _dismissed.Add(id);
        }

        _onChanged();
    }

    /// <summary>Shows a rolling restart this page has just started at once, without waiting for the service's first update.</summary>
    public void Started(RollingRestart rollingRestart) => Record(rollingRestart);

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

    private async Task RunAsync(string id, Func<Task<RollingRestart>> command)
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
            // Subscribed first, then the active ones read: a change in between arrives twice, never not at all.
            await using var updates = _restarts.WatchAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            var next = updates.MoveNextAsync();
            foreach (var active in _restarts.Active)
            {
                Record(active);
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

    private void Record(RollingRestart rollingRestart)
    {
        lock (_gate)
        {
            // An answer to a command can arrive after a newer update from the stream: a finished state is never undone.
            if (!_seen.TryGetValue(rollingRestart.Id, out var known) || !known.IsFinished || rollingRestart.IsFinished)
            {
                _seen[rollingRestart.Id] = rollingRestart;
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
