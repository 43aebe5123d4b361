using ValkeyDashboard.Cluster;
using Bunit;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Components.Dialogs;

namespace ValkeyDashboard.Components.Tests;

/// <summary>The preflight dialog, shown through <see cref="IDialogService"/> as the page shows it.</summary>
public class MigrationPreflightDialogTests : DashboardTestContext
{
    private const string Conflict = "slots 0-99 are already moving in migration m-1";

    private async Task<IDialogReference> ShowAsync(string slots = "0-99,5461-5470")
    {
        var parameters = new DialogParameters<MigrationPreflightDialog>
        {
            { d => d.Slots, SlotRangeSet.Parse(slots) },
            { d => d.TargetNodeId, TestSnapshots.PrimaryIds[2] },
            { d => d.TargetEndpoint, "127.0.0.1:7002" },
        };
        var service = Services.GetRequiredService<IDialogService>();
        IDialogReference? dialog = null;
        await Dialogs.InvokeAsync(async () => dialog = await service.ShowAsync<MigrationPreflightDialog>("Move slots", parameters));
        await Dialogs.WaitForAssertionAsync(() => Assert.Empty(Dialogs.FindAll("[data-testid='preflight-loading']")));
        return dialog!;
    }

    private bool ConfirmDisabled => Dialogs.Find("[data-testid='confirm-migration']").HasAttribute("disabled");

    [Fact]
    public async Task The_preflight_shows_each_job_the_total_keys_and_bytes_and_the_warnings()
    {
        Migrations.Plan = TestMigrations.TwoSourcePlan("the target has a replica that is failing");

        await ShowAsync();

        var preflight = Assert.Single(Migrations.Preflights);
        Assert.Equal(new MigrationRequest(SlotRangeSet.Parse("0-99,5461-5470"), TestSnapshots.PrimaryIds[2], "ui"), preflight);
        Assert.Contains("Move 110 slots to 127.0.0.1:7002", Dialogs.Markup, StringComparison.Ordinal);
        Assert.Equal(
            "127.0.0.1:7000 0-99 (100) 1,200 1.2 MiB",
            Dialogs.Find($"[data-testid='preflight-job-{TestSnapshots.PrimaryIds[0]}']").Text());
        Assert.Equal(
            "127.0.0.1:7001 5461-5470 (10) 34 2.0 KiB",
            Dialogs.Find($"[data-testid='preflight-job-{TestSnapshots.PrimaryIds[1]}']").Text());
        Assert.Equal("1,234", Dialogs.Find("[data-testid='preflight-keys']").Text());
        Assert.Equal("1.2 MiB", Dialogs.Find("[data-testid='preflight-bytes']").Text());
        Assert.Equal("the target has a replica that is failing", Dialogs.Find("[data-testid='preflight-warning']").Text());
        Assert.False(ConfirmDisabled);
    }

    [Fact]
    public async Task An_atomic_preflight_names_the_atomic_engine_and_lists_no_client_effects()
    {
        Migrations.Plan = TestMigrations.TwoSourcePlan();

        await ShowAsync();

        Assert.StartsWith("Engine: atomic.", Dialogs.Find("[data-testid='preflight-engine']").Text(), StringComparison.Ordinal);
        Assert.Empty(Dialogs.FindAll("[data-testid='preflight-client-effect']"));
    }

    [Fact]
    public async Task A_key_by_key_preflight_names_its_engine_and_says_what_clients_will_see()
    {
        Migrations.Plan = TestMigrations.TwoSourcePlan() with { Engine = MigrationEngineChoice.Keys };

        await ShowAsync();

        var engine = Dialogs.Find("[data-testid='preflight-engine']").Text();
        Assert.StartsWith("Engine: key by key.", engine, StringComparison.Ordinal);
        Assert.Contains("2 key-by-key migrations (one per source)", Dialogs.Find("[data-testid='preflight-jobs']").Text(), StringComparison.Ordinal);
        var effects = Dialogs.FindAll("[data-testid='preflight-client-effect']").Select(e => e.Text()).ToList();
        Assert.Equal(MigrationEngineChoice.KeyByKeyClientEffects.ToArray(), effects);
        Assert.Contains(effects, e => e.Contains("ASK redirections", StringComparison.Ordinal));
        Assert.Contains(effects, e => e.Contains("TRYAGAIN", StringComparison.Ordinal));
        Assert.Contains(effects, e => e.Contains("blocks the source", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_preflight_shows_why_and_cannot_be_confirmed()
    {
        Migrations.PreflightError = new RequestRefusedException(RefusalKind.Conflict, Conflict, conflictingMigrationId: "m-1");

        await ShowAsync();

        Assert.Equal($"Cannot move: {Conflict}", Dialogs.Find("[data-testid='preflight-error']").Text());
        Assert.Empty(Dialogs.FindAll("[data-testid='preflight-jobs']"));
        Assert.True(ConfirmDisabled);
    }

    [Fact]
    public async Task Confirm_starts_the_migration_as_the_ui_and_closes_with_its_id()
    {
        Migrations.Plan = TestMigrations.TwoSourcePlan();
        Migrations.NextId = "m-42";
        var dialog = await ShowAsync();

        await Dialogs.Find("[data-testid='confirm-migration']").ClickAsync(new MouseEventArgs());

        var start = Assert.Single(Migrations.Starts);
        Assert.Equal(new MigrationRequest(SlotRangeSet.Parse("0-99,5461-5470"), TestSnapshots.PrimaryIds[2], "ui"), start);
        var result = await dialog.Result.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(result!.Canceled);
        Assert.Equal("m-42", result.Data);
        await Dialogs.WaitForAssertionAsync(() => Assert.Empty(Dialogs.FindAll("[data-testid='confirm-migration']")));
    }

    [Fact]
    public async Task A_refused_start_keeps_the_dialog_open_with_the_reason()
    {
        Migrations.Plan = TestMigrations.TwoSourcePlan();
        Migrations.StartError = new RequestRefusedException(RefusalKind.Conflict, Conflict);
        var dialog = await ShowAsync();

        await Dialogs.Find("[data-testid='confirm-migration']").ClickAsync(new MouseEventArgs());

        Assert.Single(Migrations.Starts);
        Assert.Equal($"Cannot move: {Conflict}", Dialogs.Find("[data-testid='preflight-error']").Text());
        Assert.False(dialog.Result.IsCompleted);
        Assert.True(ConfirmDisabled);
    }

    [Fact]
    public async Task Cancel_closes_the_dialog_without_starting_anything()
    {
        Migrations.Plan = TestMigrations.TwoSourcePlan();
        var dialog = await ShowAsync();

        await Dialogs.Find("[data-testid='cancel-preflight']").ClickAsync(new MouseEventArgs());

        var result = await dialog.Result.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(result!.Canceled);
        Assert.Empty(Migrations.Starts);
    }
}
