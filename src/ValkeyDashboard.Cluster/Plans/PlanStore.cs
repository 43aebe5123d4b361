using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard.Cluster.Plans;

/// <summary>The plans (table <c>plans</c> of the dashboard's database).</summary>
public sealed class PlanStore(DashboardDatabase database) : RecordStore<Plan>(database, "plans");
