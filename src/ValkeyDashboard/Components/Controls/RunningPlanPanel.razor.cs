using Microsoft.AspNetCore.Components;
using MudBlazor;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Model;

namespace ValkeyDashboard.Components.Controls;

/// <summary>
/// Shows the current plan of a <see cref="PlanBoard"/> and carries out Pause, Resume, Cancel and Dismiss, saying in
/// the snackbar why a command was refused or failed.
/// </summary>
public sealed partial class RunningPlanPanel
{
    /// <summary>The page's plan board.</summary>
    [Parameter, EditorRequired]
    public required PlanBoard Board { get; set; }

    /// <summary>The signed-in user may pause, resume and cancel plans (an operator).</summary>
    [Parameter]
    public bool CanControl { get; set; }

    /// <summary>Who asks, for the plan and the audit log.</summary>
    [Parameter, EditorRequired]
    public required string Actor { get; set; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required ILogger<RunningPlanPanel> Logger { get; init; }

    private Task PauseAsync(string id) => RunAsync("pause", id, () => Board.PauseAsync(id, Actor));

    private Task ResumeAsync(string id) => RunAsync("resume", id, () => Board.ResumeAsync(id, Actor));

    private Task CancelAsync(string id) => RunAsync("cancel", id, () => Board.CancelAsync(id, Actor));

    private async Task RunAsync(string verb, string id, Func<Task> command)
    {
        if (!CanControl)
        {
            Snackbar.Add($"Only an operator may {verb} a plan; you are signed in as a viewer.", Severity.Warning);
            return;
        }

        try
        {
            await command();
        }
        catch (RequestRefusedException ex)
        {
            Snackbar.Add($"Cannot {verb} plan {id}: {ex.Message}", Severity.Error);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A node that stopped answering must not end the user's session.
            Logger.LogWarning(ex, "Asking plan {PlanId} to {Verb} failed", id, verb);
            Snackbar.Add($"Asking plan {id} to {verb} failed: {ex.Message}", Severity.Error);
        }
    }
}
