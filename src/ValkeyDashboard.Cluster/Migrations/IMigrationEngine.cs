using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Migrations;

/// <summary>
/// How slots physically move: starting a migration's jobs, observing each job and deciding its next state, settling
/// the final figures, and cancelling. The commands and the tracker do everything else (checks, history, audit,
/// following, outcome) the same for every engine. Today's one engine is Valkey 9's atomic slot migration
/// (<see cref="Atomic.AtomicMigrationEngine"/>); a key-by-key engine for older servers is another implementation.
/// </summary>
public interface IMigrationEngine
{
    /// <summary>The engine's name as the API shows it, e.g. <c>atomic</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Starts the jobs of <paramref name="pending"/> (one per source) and returns the migration running. Throws
    /// <see cref="RequestRefusedException"/> when the first job is refused or a node does not answer before anything
    /// started; a later job that is refused is recorded as failed (the earlier ones already run).
    /// </summary>
    Task<Migration> StartAsync(Migration pending, ClusterNode target, CancellationToken cancellationToken);

    /// <summary>Observes one unfinished job and returns its next record (measuring keys and bytes moved when <paramref name="measureProgress"/>).</summary>
    Task<MigrationJob> AdvanceAsync(Migration migration, MigrationJob job, bool measureProgress, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The jobs with their exact keys and bytes moved, once every job succeeded and the target owns the slots.</summary>
    Task<ImmutableArray<MigrationJob>> SettleAsync(Migration migration, ImmutableArray<MigrationJob> jobs, CancellationToken cancellationToken);

    /// <summary>
    /// Asks the sources to stop the migration's unfinished jobs. Throws <see cref="RequestRefusedException"/> (nothing
    /// sent) when cancelling would also stop work that is not this migration's, or a source cannot be asked.
    /// </summary>
    Task CancelAsync(Migration migration, CancellationToken cancellationToken);
}
