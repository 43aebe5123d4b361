using ValkeyDashboard.Cluster.Migrations;

namespace ValkeyDashboard.Cluster.Storage;

/// <summary>The migration history (table <c>migrations</c> of <c>.data/dashboard.db</c> by default).</summary>
public sealed class MigrationStore(string databasePath) : RecordStore<Migration>(databasePath, "migrations");
