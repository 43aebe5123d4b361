using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Model;

/// <summary>
/// One page's view of the migrations: those running, those that just ended (shown with their outcome until dismissed
/// or <see cref="FinishedShownFor"/> has passed), and the latest finished ones for the history. Follows
/// <see cref="ISlotMigrations.WatchAsync"/> from the moment it is created, so every browser sees every change live;
/// what is dismissed and which cancels are on their way belong to this page only. Dispose it with the page.
/// </summary>
public sealed class MigrationBoard : IAsyncDisposable
{
    /// <summary>How long a finished migration stays among the running ones (with its outcome) unless dismissed.</summary>
    public static readonly TimeSpan FinishedShownFor = TimeSpan.FromMinutes(2);

    /// <summary>At most this many finished migrations stay among the running ones (the history has them all).</summary>
    public const int FinishedShownAtMost = 3;

    /// <summary>The newest finished migrations the history shows.</summary>
    public const int HistoryShown = 20;

    /// <summary>Migrations read from the service when the board starts (newest first); later ones arrive as changes.</summary>
    public const int HistoryLoaded = 200;

    private readonly ISlotMigrations _migrations;
    private readonly Action _onChanged;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _cts = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Migration> _all = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dismissed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _cancelling = new(StringComparer.Ordinal);
    private readonly Task _follow;
    private int _disposed;

    /// <param name="migrations">The migration service.</param>
    /// <param name="onChanged">Called after the board changed, not on the renderer's thread (e.g. to ask for a render).</param>
    /// <param name="time">The clock that decides when a finished migration leaves the running ones.</param>
    public MigrationBoard(ISlotMigrations migrations, Action onChanged, TimeProvider time)
    {
        _migrations = migrations;
        _onChanged = onChanged;
        _time = time;
        _follow = FollowAsync(_cts.Token);
    }

    /// <summary>Running migrations (newest first), then those that finished lately and were not dismissed (latest first).</summary>
    public IReadOnlyList<Migration> ActiveItems
    {
        get
        {
            var now = _time.GetUtcNow();
            lock (_gate)
            {
                var running = _all.Values.Where(m => !m.IsFinished).OrderByDescending(m => m.CreatedAt);
                var finished = _all.Values
                    .Where(m => m.IsFinished && !_dismissed.Contains(m.Id) && now - (m.FinishedAt ?? now) < FinishedShownFor)
                    .OrderByDescending(m => m.FinishedAt)
                    .Take(FinishedShownAtMost);
                return [.. running, .. finished];
            }
        }
    }

    /// <summary>The newest <see cref="HistoryShown"/> finished migrations, newest first.</summary>
    public IReadOnlyList<Migration> HistoryItems => Locked(() => (IReadOnlyList<Migration>)[.. _all.Values.Where(m => m.IsFinished).OrderByDescending(m => m.CreatedAt).Take(HistoryShown)]);

    /// <summary>How many finished migrations the board knows.</summary>
    public int FinishedCount => Locked(() => _all.Values.Count(m => m.IsFinished));

    /// <summary>The slots of every running migration.</summary>
    public SlotRangeSet MovingSlots => Locked(() => _all.Values.Where(m => !m.IsFinished).Aggregate(SlotRangeSet.Empty, (all, m) => all.Union(m.Slots)));

    /// <summary>Migrations this page asked to cancel whose answer has not come yet.</summary>
    public IReadOnlySet<string> Cancelling => Locked(() => (IReadOnlySet<string>)new HashSet<string>(_cancelling, StringComparer.Ordinal));

    /// <summary>
    /// Cancels a migration for <paramref name="requestedBy"/>; while the request is on its way the migration is in
    /// <see cref="Cancelling"/>. Refusals (<see cref="Cluster.RequestRefusedException"/>) and failures reach the caller.
    /// </summary>
    public async Task CancelAsync(string id, string requestedBy, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _cancelling.Add(id);
        }

        _onChanged();
        try
        {
            var migration = await _migrations.CancelAsync(id, requestedBy, cancellationToken);
            Record(migration);
        }
        finally
        {
            lock (_gate)
            {
                _cancelling.Remove(id);
            }

            _onChanged();
        }
    }

    /// <summary>Takes a finished migration off the running ones (it stays in the history).</summary>
    public void Dismiss(string id)
    {
        lock (_gate)
        {
            _dismissed.Add(id);
        }

        _onChanged();
    }

    /// <summary>Shows a migration this page has just started at once, without waiting for the service's first update.</summary>
    public void Started(string id)
    {
        lock (_gate)
        {
            _dismissed.Remove(id);
        }

        if (_migrations.Find(id) is { } started)
        {
            Record(started);
        }
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

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            // Subscribed first, then the list read: a change in between arrives twice, never not at all.
            await using var updates = _migrations.WatchAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            var next = updates.MoveNextAsync();
            lock (_gate)
            {
                foreach (var migration in _migrations.List(1, HistoryLoaded).Items)
                {
                    _all.TryAdd(migration.Id, migration);
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

    private void Record(Migration migration)
    {
        lock (_gate)
        {
            _all[migration.Id] = migration;
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
