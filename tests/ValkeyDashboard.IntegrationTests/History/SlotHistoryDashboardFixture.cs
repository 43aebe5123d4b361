using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.History;

/// <summary>
/// A dashboard with its embedded 3×1 cluster whose history records every second (and every 5 s in a second tier), so
/// tests see points within seconds. Shared by the tests of one class; each test puts back the slots it moved.
/// </summary>
public sealed class SlotHistoryDashboardFixture() : EmbeddedDashboardFixture(DashboardAppFactory.Embedded()
    .With("Dashboard:History:Tiers:0:Interval", "00:00:01")
    .With("Dashboard:History:Tiers:0:Retention", "00:10:00")
    .With("Dashboard:History:Tiers:1:Interval", "00:00:05")
    .With("Dashboard:History:Tiers:1:Retention", "01:00:00")
    .With("Dashboard:History:KeyframeEvery", "10"))
{
}
