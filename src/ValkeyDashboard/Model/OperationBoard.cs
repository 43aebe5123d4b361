using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard.Model;

/// <summary>
/// One page's view of a kind of long-running operation (migrations, plans, rolling restarts): every one the service
/// had when the board started and every change since, followed live from the service's stream so every browser sees
/// each step; what this page dismissed and which of its commands are on their way belong to this page only. The
/// kinds differ only in what they show (<see cref="MigrationBoard"/>, <see cref="PlanBoard"/>,
/// <see cref="RollingRestartBoard"/>). Dispose it with the page.
/// </summary>
/// <typeparam name="T">The operation's record.</typeparam>
public abstract class OperationBoard<T> : IAsyncDisposable
    where T : class, IRecord
{
    private readonly Action _onChanged;
    private readonly CancellationTokenSource _cts = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, T> _all = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dismissed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly Task _follow;
    private int _disposed;

    /// <param name="watch">The service's stream of changes.</param>
    /// <param name="known">What the service has when the board starts, read once subscribed.</param>
    /// <param name="onChanged">Called after the board changed, not on the renderer's thread (e.g. to ask for a render).</param>
    protected OperationBoard(Func<CancellationToken, IAsyncEnumerable<T>> watch, Func<IEnumerable<T>> known, Action onChanged)
    {
        _onChanged = onChanged;
        _follow = FollowAsync(watch, known, _cts.Token);
    }

    /// <summary>How many finished operations the board knows.</summary>
    public int FinishedCount => Read((all, _) => all.Count(o => o.IsFinished));

    /// <summary>Operations this page sent a command for (pause, resume, cancel) whose answer has not come yet.</summary>
    public IReadOnlySet<string> InFlight => Read((_, _) => (IReadOnlySet<string>)new HashSet<string>(_inFlight, StringComparer.Ordinal));

    /// <summary>Operations in a final state, newest first, at most <paramref name="count"/>.</summary>
    protected IReadOnlyList<T> Finished(int count) =>
        Read((all, _) => (IReadOnlyList<T>)[.. all.Where(o => o.IsFinished).OrderByDescending(o => o.CreatedAt).Take(count)]);

    /// <summary>Stops showing a finished operation as a current one (it stays in the history).</summary>
    public void Dismiss(string id)
    {
        lock (_gate)
        {
            _dismissed.Add(id);
        }

        _onChanged();
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
        GC.SuppressFinalize(this);
    }

    /// <summary>Shows an operation this page has just started at once, without waiting for the service's first update.</summary>
    protected void Show(T operation)
    {
        lock (_gate)
        {
            _dismissed.Remove(operation.Id);
        }

        Record(operation);
    }

    /// <summary>What the board knows and what this page dismissed, read under the board's lock.</summary>
    protected TResult Read<TResult>(Func<IEnumerable<T>, IReadOnlySet<string>, TResult> read)
    {
        lock (_gate)
        {
            return read(_all.Values, _dismissed);
        }
    }

    /// <summary>
    /// Sends a command about <paramref name="id"/> (at most one at a time per operation from this page: a second click
    /// while the first is on its way does nothing) and shows its answer; refusals
    /// (<see cref="Cluster.RequestRefusedException"/>) and failures reach the caller.
    /// </summary>
    protected async Task RunAsync(string id, Func<Task<T>> command)
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

    private async Task FollowAsync(Func<CancellationToken, IAsyncEnumerable<T>> watch, Func<IEnumerable<T>> known, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            // Subscribed first, then what the service has read: a change in between arrives twice, never not at all.
            await using var updates = watch(cancellationToken).GetAsyncEnumerator(cancellationToken);
            var next = updates.MoveNextAsync();
            lock (_gate)
            {
                foreach (var operation in known())
                {
                    _all.TryAdd(operation.Id, operation);
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

    private void Record(T operation)
    {
        lock (_gate)
        {
            // An answer to a command can arrive after a newer update from the stream: a final state is never undone.
            if (!_all.TryGetValue(operation.Id, out var known) || !known.IsFinished || operation.IsFinished)
            {
                _all[operation.Id] = operation;
            }
        }

        _onChanged();
    }
}
