using System.ComponentModel.DataAnnotations;

namespace ValkeyDashboard.Cluster.Migrations.Keys;

/// <summary>How the key-by-key engine moves keys (the <c>Migrations:Keys</c> section).</summary>
public sealed class KeyMigrationOptions
{
    public const string SectionName = "Migrations:Keys";

    /// <summary>
    /// Keys per <c>MIGRATE … KEYS</c> (and per <c>CLUSTER GETKEYSINSLOT</c>). <c>valkey-cli</c> sends 10; a batch of
    /// hundreds pays one round trip and one target handshake for many keys. The source is blocked while one batch
    /// moves, so very large batches of very large values lengthen that pause.
    /// </summary>
    [Range(1, 100_000)]
    public int KeysPerBatch { get; set; } = 500;

    /// <summary>
    /// <c>MIGRATE</c>'s timeout: longest the source waits on the target while moving one batch. A key too big to move
    /// within it stops the migration (its slot is left open, nothing lost). Must stay below <c>Valkey:CommandTimeout</c>,
    /// which bounds how long the dashboard waits for the source's answer.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan MigrateTimeout { get; set; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>
    /// Slots of one source → target pair moved at once, each over a connection of its own. Each slot is its own
    /// SETSLOT/MIGRATE sequence, so several can be open together safely. Most of a slot's time is waiting: Valkey 8+
    /// answers a <c>CLUSTER SETSLOT</c> only once the node's replicas acknowledged it (after saving their cluster
    /// config), five times per slot; overlapping those waits is what makes the move fast (2,000 slots of 61 keys:
    /// 48 s with 4, 21 s with 16, on 2 cores). Sixteen: the nodes stay mostly idle between waits, a failure leaves at
    /// most sixteen slots to look at, and the connections (16 per running migration) stay few.
    /// </summary>
    [Range(1, 64)]
    public int SlotsInFlight { get; set; } = 16;
}
