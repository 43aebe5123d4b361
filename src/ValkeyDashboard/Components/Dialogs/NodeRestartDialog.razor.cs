using Microsoft.AspNetCore.Components;
using MudBlazor;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Restarts;

namespace ValkeyDashboard.Components.Dialogs;

/// <summary>
/// Asks the node commands what restarting a node would do (<see cref="INodeCommands.PreviewRestartAsync"/>, again when
/// fail-back is toggled) and shows it, or the refusal that says why it may not restart now. Closes with the chosen
/// fail-back on Restart; the caller restarts it (the same service the API uses), so the page can show the node busy.
/// </summary>
public sealed partial class NodeRestartDialog
{
    private RestartPlan? _plan;
    private string? _error;
    private bool _failBack;
    private bool _loading = true;

    [CascadingParameter]
    public required IMudDialogInstance Dialog { get; set; }

    [Inject]
    public required INodeCommands Nodes { get; init; }

    [Inject]
    public required ILogger<NodeRestartDialog> Logger { get; init; }

    /// <summary>The node to restart.</summary>
    [Parameter, EditorRequired]
    public required ClusterNode Node { get; set; }

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
            _plan = await Nodes.PreviewRestartAsync(Node.Id, _failBack);
        }
        catch (RequestRefusedException ex)
        {
            _plan = null;
            _error = $"Cannot restart {Node.Endpoint} now: {ex.Message}";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A node that stopped answering mid-check must not end the user's session.
            Logger.LogWarning(ex, "Previewing the restart of {Endpoint} failed", Node.Endpoint);
            _plan = null;
            _error = $"The check could not finish: {ex.Message}";
        }
        finally
        {
            _loading = false;
        }
    }

    private void Confirm()
    {
        if (_plan is not null)
        {
            Dialog.Close(DialogResult.Ok(_failBack));
        }
    }

    private void Cancel() => Dialog.Cancel();

    /// <summary>The plan's sentence as the dialog shows it: capitalised, with a full stop.</summary>
    private static string Sentence(string description) =>
        description.Length == 0 ? description : char.ToUpperInvariant(description[0]) + description[1..] + (description.EndsWith('.') ? string.Empty : ".");
}
