using Microsoft.AspNetCore.Components;
using MudBlazor;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Model;

namespace ValkeyDashboard.Components.Controls;

/// <summary>
/// Shows the running migrations of a <see cref="MigrationBoard"/> and carries out Cancel and Dismiss, saying in the
/// snackbar why a cancel was refused or failed.
/// </summary>
public sealed partial class RunningMigrationsPanel
{
    /// <summary>The page's migration board.</summary>
    [Parameter, EditorRequired]
    public required MigrationBoard Board { get; set; }

    /// <summary>The signed-in user may cancel migrations (an operator).</summary>
    [Parameter]
    public bool CanCancel { get; set; }

    /// <summary>Who asks, for the history and the audit log.</summary>
    [Parameter, EditorRequired]
    public required string Actor { get; set; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required ILogger<RunningMigrationsPanel> Logger { get; init; }

    private async Task CancelAsync(string id)
    {
        if (!CanCancel)
        {
            Snackbar.Add("Only an operator may cancel migrations; you are signed in as a viewer.", Severity.Warning);
            return;
        }

        try
        {
            await Board.CancelAsync(id, Actor);
        }
        catch (RequestRefusedException ex)
        {
            Snackbar.Add($"Cannot cancel {id}: {ex.Message}", Severity.Error);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A node that stopped answering must not end the user's session.
            Logger.LogWarning(ex, "Cancelling migration {MigrationId} failed", id);
            Snackbar.Add($"Cancelling {id} failed: {ex.Message}", Severity.Error);
        }
    }
}
