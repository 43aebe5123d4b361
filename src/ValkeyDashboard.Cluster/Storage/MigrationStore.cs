using ValkeyDashboard.Cluster.Migrations;

namespace ValkeyDashboard.Cluster.Storage;

/// <summary>The migration history (table <c>migrations</c> of the dashboard's database).</summary>
public sealed class MigrationStore(DashboardDatabase database) : RecordStore<Migration>(database, "migrations");
