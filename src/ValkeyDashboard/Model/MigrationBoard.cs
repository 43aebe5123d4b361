using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Model;

/// <summary>
/// One page's view of the migrations (<see cref="OperationBoard{T}"/>): those running, those that just ended (shown with
/// their outcome until dismissed or <see cref="FinishedShownFor"/> has passed), and the latest finished ones for the
/// history.
/// </summary>
public sealed class MigrationBoard(ISlotMigrations migrations, Action onChanged, TimeProvider time)
    : OperationBoard<Migration>(migrations.WatchAsync, () => migrations.List(1, HistoryLoaded).Items, onChanged)
{
    /// <summary>How long a finished migration stays among the running ones (with its outcome) unless dismissed.</summary>
    public static readonly TimeSpan FinishedShownFor = TimeSpan.FromMinutes(2);

    /// <summary>At most this many finished migrations stay among the running ones (the history has them all).</summary>
    public const int FinishedShownAtMost = 3;

    /// <summary>The newest finished migrations the history shows.</summary>
    public const int HistoryShown = 20;

    /// <summary>Migrations read from the service when the board starts (newest first); later ones arrive as changes.</summary>
    public const int HistoryLoaded = 200;

    /// <summary>Running migrations (newest first), then those that finished lately and were not dismissed (latest first).</summary>
    public IReadOnlyList<Migration> ActiveItems
    {
        get
        {
            var now = time.GetUtcNow();
            return Read((all, dismissed) =>
            {
                var running = all.Where(m => !m.IsFinished).OrderByDescending(m => m.CreatedAt);
                var finished = all
                    .Where(m => m.IsFinished && !dismissed.Contains(m.Id) && now - (m.FinishedAt ?? now) < FinishedShownFor)
                    .OrderByDescending(m => m.FinishedAt)
                    .Take(FinishedShownAtMost);
                return (IReadOnlyList<Migration>)[.. running, .. finished];
            });
        }
    }

    /// <summary>The newest <see cref="HistoryShown"/> finished migrations, newest first.</summary>
    public IReadOnlyList<Migration> HistoryItems => Finished(HistoryShown);

    /// <summary>The slots of every running migration.</summary>
    public SlotRangeSet MovingSlots => Read((all, _) => all.Where(m => !m.IsFinished).Aggregate(SlotRangeSet.Empty, (slots, m) => slots.Union(m.Slots)));

    /// <summary>Migrations this page asked to cancel whose answer has not come yet.</summary>
    public IReadOnlySet<string> Cancelling => InFlight;

    /// <summary>
    /// Cancels a migration for <paramref name="requestedBy"/>; while the request is on its way the migration is in
    /// <see cref="Cancelling"/>. Refusals (<see cref="Cluster.RequestRefusedException"/>) and failures reach the caller.
    /// </summary>
    public Task CancelAsync(string id, string requestedBy, CancellationToken cancellationToken = default) =>
        RunAsync(id, () => migrations.CancelAsync(id, requestedBy, cancellationToken));

    /// <summary>Shows a migration this page has just started at once, without waiting for the service's first update.</summary>
    public void Started(string id)
    {
        if (migrations.Find(id) is { } started)
        {
            Show(started);
        }
    }
}
