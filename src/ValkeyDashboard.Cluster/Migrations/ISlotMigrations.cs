namespace ValkeyDashboard.Cluster.Migrations;

/// <summary>
/// What the UI and the API may do with slot migrations; <see cref="MigrationCommands"/> is the one
/// implementation (component tests use a hand-written fake).
/// </summary>
public interface ISlotMigrations
{
    /// <summary>Migrations that have not reached a final state, oldest first.</summary>
    IReadOnlyList<Migration> Active { get; }

    Migration? Find(string id);

    /// <summary>Newest first, <paramref name="pageSize"/> per page, pages from 1.</summary>
    (IReadOnlyList<Migration> Items, int Total) List(int page, int pageSize);

    /// <summary>Validates a request and estimates what it moves, without starting anything.</summary>
    Task<MigrationPlan> PreflightAsync(MigrationRequest request, CancellationToken cancellationToken = default);

    /// <summary>Starts a migration (or returns the one an earlier request with the same idempotency key started).</summary>
    Task<MigrationStart> StartAsync(MigrationRequest request, CancellationToken cancellationToken = default);

    /// <summary>Cancels a running migration.</summary>
    Task<Migration> CancelAsync(string id, string requestedBy, CancellationToken cancellationToken = default);

    /// <summary>Every change of every migration from now on.</summary>
    IAsyncEnumerable<Migration> WatchAsync(CancellationToken cancellationToken = default);
}
