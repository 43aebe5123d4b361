using Bunit;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

/// <summary>Past migrations, a row each: outcome, duration, keys moved, who asked, and why a failure failed.</summary>
public class MigrationHistoryTests : DashboardTestContext
{
    private static string Cell(AngleSharp.Dom.IElement row, int column) => row.QuerySelectorAll("td")[column].Text();

    [Fact]
    public void A_succeeded_migration_reads_with_outcome_duration_keys_moved_and_who_asked()
    {
        var cut = Render<MigrationHistory>(p => p
            .Add(c => c.Items, [TestMigrations.Succeeded("m-1", TimeSpan.FromSeconds(12.4)) with { RequestedBy = "ops-token" }])
            .Add(c => c.Total, 1));

        var row = cut.Find("[data-testid='migration-history-m-1']");
        Assert.Equal("0-99 (100)", Cell(row, 1));
        Assert.Equal("127.0.0.1:7000 → 127.0.0.1:7002", Cell(row, 2));
        Assert.Equal("succeeded", row.QuerySelector("[data-testid='migration-state']")!.Text());
        Assert.Equal("12.4 s", Cell(row, 4));
        Assert.Equal("400", Cell(row, 5));
        Assert.Equal("ops-token", Cell(row, 7));
        Assert.Null(row.QuerySelector("[data-testid='migration-history-message-m-1']"));
    }

    [Fact]
    public void A_failed_migration_shows_Valkeys_message_under_its_outcome()
    {
        var cut = Render<MigrationHistory>(p => p
            .Add(c => c.Items, [TestMigrations.FailedByValkey("m-2", "ERR slot 42 is not owned by the source")])
            .Add(c => c.Total, 1));

        var row = cut.Find("[data-testid='migration-history-m-2']");
        Assert.Equal("failed", row.QuerySelector("[data-testid='migration-state']")!.Text());
        Assert.Equal("ERR slot 42 is not owned by the source", cut.Find("[data-testid='migration-history-message-m-2']").Text());
        Assert.Equal("3.0 s", Cell(row, 4));
        Assert.Equal("100", Cell(row, 5));
    }

    [Fact]
    public void Rows_keep_the_order_given_and_the_count_says_how_many_are_not_shown()
    {
        var cut = Render<MigrationHistory>(p => p
            .Add(c => c.Items, [TestMigrations.Succeeded("m-3", TimeSpan.FromSeconds(1)), TestMigrations.Cancelled("m-2", "cancelled by ui")])
            .Add(c => c.Total, 25));

        Assert.Equal(
            ["migration-history-m-3", "migration-history-m-2"],
            cut.FindAll("[data-testid^='migration-history-m-']").Select(r => r.GetAttribute("data-testid")));
        Assert.Contains("25 finished, latest 2 shown", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_migrations_the_history_says_how_to_start_one()
    {
        var cut = Render<MigrationHistory>(p => p.Add(c => c.Items, []));

        Assert.Contains("Drag slots onto a node", cut.Find("[data-testid='no-migration-history']").Text(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_migration_with_an_impact_shows_its_p99_and_longest_write_pause_with_the_rest_in_the_tooltip()
    {
        var impact = new Cluster.Migrations.Impact.MigrationImpact(0.42, 3.81, 12.6, 26, 1,
            new Cluster.Migrations.Impact.ImpactLatency(0.5, 12.6, 14), new Cluster.Migrations.Impact.ImpactLatency(0.3, 0.9, 12));
        var cut = Render<MigrationHistory>(p => p
            .Add(c => c.Items, [TestMigrations.Succeeded("m-4", TimeSpan.FromSeconds(1)) with { Impact = impact }, TestMigrations.Succeeded("m-5", TimeSpan.FromSeconds(1))])
            .Add(c => c.Total, 2));

        var shown = cut.Find("[data-testid='migration-history-impact-m-4']");
        Assert.Equal("p99 3.81 ms · pause 13 ms", shown.Text());
        Assert.Equal(
            "26 probes, 1 errors · p50 0.42 ms, p99 3.81 ms, longest write pause 13 ms · moving slots: p50 0.5 ms, p99 13 ms (14) · elsewhere: p50 0.3 ms, p99 0.9 ms (12)",
            shown.GetAttribute("title"));
        Assert.Equal("–", Cell(cut.Find("[data-testid='migration-history-m-5']"), 6));
    }
}
