using System.Collections.Immutable;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Restarts;

namespace ValkeyDashboard.Components.Dialogs;

/// <summary>
/// Asks the rolling restart service for the steps a rolling restart of every node would take
/// (<see cref="IRollingRestarts.PreviewAsync"/>, again when fail-back is toggled) and lists them, or the refusal that says
/// why it cannot run now. Start begins it through the same service the API uses, as the signed-in user, and closes with it.
/// </summary>
public sealed partial class RollingRestartDialog
{
    // One key per dialog: a second click, or a retry after a lost answer, returns the same rolling restart.
    private readonly string _idempotencyKey = Guid.NewGuid().ToString("N");
    private ImmutableArray<RestartStep>? _steps;
    private string? _error;
    private bool _failBack;
    private bool _loading = true;
    private bool _starting;

    [CascadingParameter]
    public required IMudDialogInstance Dialog { get; set; }

    [Inject]
    public required IRollingRestarts Restarts { get; init; }

    [Inject]
    public required ILogger<RollingRestartDialog> Logger { get; init; }

    /// <summary>Who asks, recorded with the rolling restart and in the audit log.</summary>
    [Parameter, EditorRequired]
    public required string RequestedBy { get; set; }

    protected override Task OnInitializedAsync() => PreviewAsync();

    private async Task FailBackChangedAsync(bool failBack)
    {
        _failBack = failBack;
        await PreviewAsync();
    }

    private async Task PreviewAsync()
    {
        _loading = true;
        _error = null;
        try
        {
            _steps = await Restarts.PreviewAsync([], _failBack);
        }
        catch (RequestRefusedException ex)
        {
            _steps = null;
            _error = Explain(ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Logger.LogWarning(ex, "Previewing a rolling restart failed");
            _steps = null;
            _error = $"The check could not finish: {ex.Message}";
        }
        finally
        {
            _loading = false;
        }
    }

    private async Task StartAsync()
    {
        _starting = true;
        _error = null;
        try
        {
            var (rolling, _) = await Restarts.StartAsync(new RollingRestartRequest([], _failBack, RequestedBy, _idempotencyKey));
            Dialog.Close(DialogResult.Ok(rolling));
        }
        catch (RequestRefusedException ex)
        {
            // The cluster changed since the preview (a node failed, another restart began): say so and keep the dialog open.
            _error = Explain(ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Logger.LogWarning(ex, "Starting a rolling restart failed");
            _error = $"The rolling restart could not be started: {ex.Message}";
        }
        finally
        {
            _starting = false;
        }
    }

    private void Cancel() => Dialog.Cancel();

    private static string Explain(RequestRefusedException ex) => $"Cannot restart the cluster now: {ex.Message}";
}
