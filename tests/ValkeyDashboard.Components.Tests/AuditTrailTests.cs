using Bunit;
using ValkeyDashboard.Cluster.Audit;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

public class AuditTrailTests : DashboardTestContext
{
    [Fact]
    public async Task Entries_recorded_before_and_after_the_page_opened_are_listed_newest_first_with_their_outcome()
    {
        await Audit.RecordAsync("api", "migration.start", "0-99 → 127.0.0.1:7001", AuditOutcome.Accepted, "migration 01abc");
        var cut = Render<AuditTrail>();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("tbody tr")));

        var refused = await Audit.RecordAsync("ui", "migration.cancel", "01abc", AuditOutcome.Refused, "migration 01abc has already succeeded");

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tbody tr").Count));
        var newest = cut.FindAll("tbody tr")[0];
        Assert.Equal($"audit-{refused!.Id}", newest.GetAttribute("data-testid"));
        Assert.Contains("migration.cancel", newest.TextContent, StringComparison.Ordinal);
        Assert.Contains("refused", newest.TextContent, StringComparison.Ordinal);
        Assert.Contains("has already succeeded", newest.TextContent, StringComparison.Ordinal);
        Assert.Contains("ui", newest.TextContent, StringComparison.Ordinal);
        Assert.Contains("2 entries", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_log_says_nothing_was_asked_yet()
    {
        var cut = Render<AuditTrail>();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid='no-audit']")));
    }
}
