using ValkeyDashboard.Cluster;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Components;

namespace ValkeyDashboard.Components.Dialogs;

/// <summary>
/// Runs the migration service's preflight for a move and shows it; on Confirm starts the migration through the
/// same service the API uses and closes with the migration's id.
/// </summary>
public sealed partial class MigrationPreflightDialog
{
    private MigrationPlan? _plan;
    private string? _error;
    private bool _starting;

    [CascadingParameter]
    public required IMudDialogInstance Dialog { get; set; }

    [Inject]
    public required ISlotMigrations Migrations { get; init; }

    [Inject]
    public required ILogger<MigrationPreflightDialog> Logger { get; init; }

    /// <summary>The slots to move.</summary>
    [Parameter, EditorRequired]
    public required SlotRangeSet Slots { get; set; }

    /// <summary>The primary that receives them.</summary>
    [Parameter, EditorRequired]
    public required string TargetNodeId { get; set; }

    /// <summary>The target's endpoint, for the title.</summary>
    [Parameter]
    public string? TargetEndpoint { get; set; }

    /// <summary>Who is asking, recorded with the migration.</summary>
    [Parameter]
    public string RequestedBy { get; set; } = "ui";

    protected override async Task OnInitializedAsync()
    {
        try
        {
            _plan = await Migrations.PreflightAsync(Request());
        }
        catch (RequestRefusedException ex)
        {
            _error = Explain(ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Anything else (a node that stopped answering mid-check) must not end the user's session.
            Logger.LogWarning(ex, "Preflight of {Slots} to {Target} failed", Slots, TargetNodeId);
            _error = $"The check could not finish: {ex.Message}";
        }
    }

    private MigrationRequest Request() => new(Slots, TargetNodeId, RequestedBy);

    private async Task ConfirmAsync()
    {
        _starting = true;
        _error = null;
        try
        {
            var start = await Migrations.StartAsync(Request());
            Dialog.Close(DialogResult.Ok(start.Migration.Id));
        }
        catch (RequestRefusedException ex)
        {
            // The cluster changed since the preflight (another move, a failover): say so and keep the dialog open.
            _error = Explain(ex);
            _plan = null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Logger.LogWarning(ex, "Starting the migration of {Slots} to {Target} failed", Slots, TargetNodeId);
            _error = $"The migration could not be started: {ex.Message}";
            _plan = null;
        }
        finally
        {
            _starting = false;
        }
    }

    private void Cancel() => Dialog.Cancel();

    // The service's messages already carry Valkey's own text when Valkey refused.
    private static bool IsKeyByKey(MigrationPlan plan) => plan.Engine == MigrationEngineChoice.Keys;

    private static bool AllHaveAtomic(MigrationPlan plan) =>
        plan.Jobs.Select(j => j.Source).Append(plan.Target).All(n => n.Capabilities.HasFlag(NodeCapabilities.AtomicSlotMigration));

    private static string Explain(RequestRefusedException ex) => $"Cannot move: {ex.Message}";
}
