using Bunit;
using Microsoft.AspNetCore.Components.Web;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

/// <summary>Running migrations with progress and Cancel, and those that just ended with Valkey's word on them.</summary>
public class ActiveMigrationsTests : DashboardTestContext
{
    [Fact]
    public void A_running_migration_shows_its_progress_and_figures()
    {
        var cut = Render<ActiveMigrations>(p => p.Add(c => c.Items, [TestMigrations.Running("m-1", progress: 0.4)]));

        Assert.Equal("40", cut.Find("[data-testid='migration-progress-m-1']").GetAttribute("data-progress"));
        var item = cut.Find("[data-testid='migration-m-1']");
        Assert.Equal("running", item.GetAttribute("data-state"));
        Assert.Contains("0-99 (100 slots) from 127.0.0.1:7000 to 127.0.0.1:7002", item.Text(), StringComparison.Ordinal);
        Assert.Contains("160 of 400 keys · 40%", item.Text(), StringComparison.Ordinal);
        Assert.Contains("by ui", item.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_raises_CancelRequested_with_the_migrations_id()
    {
        var cancelled = new List<string>();
        var cut = Render<ActiveMigrations>(p => p
            .Add(c => c.Items, [TestMigrations.Running("m-1"), TestMigrations.Running("m-2")])
            .Add(c => c.CancelRequested, id => cancelled.Add(id)));

        await cut.Find("[data-testid='cancel-migration-m-2']").ClickAsync(new MouseEventArgs());

        Assert.Equal(["m-2"], cancelled);
    }

    [Fact]
    public void Cancel_is_disabled_while_a_cancel_is_on_its_way_or_for_a_role_that_may_not_cancel()
    {
        var cut = Render<ActiveMigrations>(p => p
            .Add(c => c.Items, [TestMigrations.Running("m-1"), TestMigrations.Running("m-2")])
            .Add(c => c.Cancelling, new HashSet<string> { "m-1" }));

        Assert.True(cut.Find("[data-testid='cancel-migration-m-1']").HasAttribute("disabled"));
        Assert.False(cut.Find("[data-testid='cancel-migration-m-2']").HasAttribute("disabled"));

        cut.Render(p => p.Add(c => c.CanCancel, false));

        Assert.True(cut.Find("[data-testid='cancel-migration-m-2']").HasAttribute("disabled"));
    }

    [Fact]
    public async Task A_failed_migration_shows_Valkeys_message_and_can_be_dismissed_not_cancelled()
    {
        var dismissed = new List<string>();
        var cut = Render<ActiveMigrations>(p => p
            .Add(c => c.Items, [TestMigrations.FailedByValkey("m-1", "ERR target node is out of memory")])
            .Add(c => c.DismissRequested, id => dismissed.Add(id)));

        Assert.Equal("ERR target node is out of memory", cut.Find("[data-testid='migration-error-m-1']").Text());
        Assert.Empty(cut.FindAll("[data-testid='cancel-migration-m-1']"));

        await cut.Find("[data-testid='dismiss-migration-m-1']").ClickAsync(new MouseEventArgs());

        Assert.Equal(["m-1"], dismissed);
    }

    [Fact]
    public void A_cancelled_migration_shows_why()
    {
        var cut = Render<ActiveMigrations>(p => p.Add(c => c.Items, [TestMigrations.Cancelled("m-1", "cancelled by ui")]));

        Assert.Equal("cancelled by ui", cut.Find("[data-testid='migration-error-m-1']").Text());
        Assert.Equal("cancelled", cut.Find("[data-testid='migration-m-1']").GetAttribute("data-state"));
    }

    [Fact]
    public void A_succeeded_migration_shows_no_message()
    {
        var cut = Render<ActiveMigrations>(p => p.Add(c => c.Items, [TestMigrations.Succeeded("m-1", TimeSpan.FromSeconds(2))]));

        Assert.Equal("100", cut.Find("[data-testid='migration-progress-m-1']").GetAttribute("data-progress"));
        Assert.Empty(cut.FindAll("[data-testid='migration-error-m-1']"));
    }

    [Fact]
    public void Without_migrations_the_panel_says_none_is_running()
    {
        var cut = Render<ActiveMigrations>(p => p.Add(c => c.Items, []));

        Assert.NotNull(cut.Find("[data-testid='no-active-migrations']"));
    }
}

/// <summary>Why a migration did not succeed, as the running panel and the history show it.</summary>
public class MigrationMessageTests
{
    [Fact]
    public void The_migrations_own_error_comes_first()
    {
        var failed = TestMigrations.FailedByValkey("m-1", "ERR job failed") with { Error = "the target failed over" };

        Assert.Equal("the target failed over", ActiveMigrations.MessageOf(failed));
    }

    [Fact]
    public void Without_an_error_the_first_Valkey_job_message_is_used()
    {
        var failed = TestMigrations.FailedByValkey("m-1", "ERR job failed") with
        {
            Jobs = [TestMigrations.Job(MigrationState.Succeeded, "0-9"), TestMigrations.Job(MigrationState.Failed, "10-99", "ERR job failed")],
        };

        Assert.Equal("ERR job failed", ActiveMigrations.MessageOf(failed));
    }

    [Fact]
    public void Without_any_message_the_state_is_named()
    {
        var failed = TestMigrations.FailedByValkey("m-1", "ERR job failed") with { Jobs = [TestMigrations.Job(MigrationState.Failed)] };

        Assert.Equal("failed", ActiveMigrations.MessageOf(failed));
    }

    [Fact]
    public void Running_and_succeeded_migrations_have_no_message()
    {
        Assert.Null(ActiveMigrations.MessageOf(TestMigrations.Running("m-1") with { Error = "transient" }));
        Assert.Null(ActiveMigrations.MessageOf(TestMigrations.Succeeded("m-2", TimeSpan.FromSeconds(1))));
    }
}
