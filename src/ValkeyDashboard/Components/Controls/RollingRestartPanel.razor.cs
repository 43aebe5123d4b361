using Microsoft.AspNetCore.Components;
using MudBlazor;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Restarts;
using ValkeyDashboard.Model;

namespace ValkeyDashboard.Components.Controls;

/// <summary>
/// Shows the current rolling restart of a <see cref="RollingRestartBoard"/> live and carries out Pause, Resume and
/// Cancel (they take effect between two nodes) as the signed-in user, saying in the snackbar why one was refused or failed.
/// </summary>
public sealed partial class RollingRestartPanel
{
    /// <summary>The page's rolling restart board.</summary>
    [Parameter, EditorRequired]
    public required RollingRestartBoard Board { get; set; }

    /// <summary>The signed-in user may pause, resume and cancel (an operator); a viewer sees the progress only.</summary>
    [Parameter]
    public bool CanControl { get; set; }

    /// <summary>Who asks, for the audit log.</summary>
    [Parameter, EditorRequired]
    public required string Actor { get; set; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required ILogger<RollingRestartPanel> Logger { get; init; }

    private Task PauseAsync(string id) => RunAsync("pause", id, () => Board.PauseAsync(id, Actor));

    private Task ResumeAsync(string id) => RunAsync("resume", id, () => Board.ResumeAsync(id, Actor));

    private Task CancelAsync(string id) => RunAsync("cancel", id, () => Board.CancelAsync(id, Actor));

    private async Task RunAsync(string verb, string id, Func<Task> command)
    {
        if (!CanControl)
        {
            Snackbar.Add($"Only an operator may {verb} a rolling restart; you are signed in as a viewer.", Severity.Warning);
            return;
        }

        try
        {
            await command();
        }
        catch (RequestRefusedException ex)
        {
            Snackbar.Add($"Cannot {verb} the rolling restart: {ex.Message}", Severity.Error);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A failure to reach the service must not end the user's session.
            Logger.LogWarning(ex, "Asking rolling restart {RollingRestartId} to {Verb} failed", id, verb);
            Snackbar.Add($"Asking the rolling restart to {verb} failed: {ex.Message}", Severity.Error);
        }
    }

    /// <summary>What the state chip says: "pausing" and "cancelling" while the node being restarted finishes.</summary>
    private static string StateText(RollingRestart rolling) =>
        rolling.CancelRequested && !rolling.IsFinished ? "cancelling"
        : rolling.PauseRequested && rolling.State == RollingRestartState.Running ? "pausing"
        : rolling.State.ToString().ToLowerInvariant();

    private static string StateName(RollingRestart rolling) => rolling.State.ToString().ToLowerInvariant();

    private static Color ColorOf(RollingRestartState state) => state switch
    {
        RollingRestartState.Succeeded => Color.Success,
        RollingRestartState.Failed => Color.Error,
        RollingRestartState.Cancelled or RollingRestartState.Paused => Color.Warning,
        _ => Color.Info,
    };

    private static Color ColorOf(RestartStepState state) => state switch
    {
        RestartStepState.Succeeded => Color.Success,
        RestartStepState.Failed => Color.Error,
        RestartStepState.Skipped => Color.Warning,
        RestartStepState.Running => Color.Info,
        _ => Color.Default,
    };
}
