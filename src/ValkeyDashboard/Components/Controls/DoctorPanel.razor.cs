using Microsoft.AspNetCore.Components;
using MudBlazor;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Doctor;

namespace ValkeyDashboard.Components.Controls;

/// <summary>
/// The doctor's findings, live (<see cref="IClusterDoctor.WatchAsync"/>), and its fixes for an operator: Fix… asks for a
/// dry run and shows its exact commands (for unassigned slots, for the primary chosen); Send runs the fix (re-checked by the doctor first) as the signed-in user.
/// </summary>
public sealed partial class DoctorPanel : IAsyncDisposable
{
    private StreamFollower? _follower;
    private DoctorReport? _report;
    private DoctorFixOutcome? _preview;
    private string? _error;
    private string? _primaryId;
    private bool _busy;
    private bool _checking;

    /// <summary>The signed-in user may run fixes (an operator); a viewer sees the findings only.</summary>
    [Parameter]
    public bool CanOperate { get; set; }

    /// <summary>Who asks, for the audit log.</summary>
    [Parameter, EditorRequired]
    public required string Actor { get; set; }

    [Inject]
    public required IClusterDoctor Doctor { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required ILogger<DoctorPanel> Logger { get; init; }

    protected override void OnInitialized() =>
        _follower = StreamFollower.Start(Doctor.WatchAsync, report => InvokeAsync(() => Show(report)));

    /// <summary>Cancelled when the panel goes away: what it sent meanwhile stops waiting.</summary>
    private CancellationToken Stopping => _follower!.Stopping;

    public async ValueTask DisposeAsync()
    {
        if (_follower is not null)
        {
            await _follower.DisposeAsync();
        }
    }

    private void Show(DoctorReport report)
    {
        _report = report;
        // A preview of a fix whose finding went away is of nothing now.
        if (_preview is { } preview && !report.Findings.Any(f => f.Fix?.Id == preview.Fix.Id) && !_busy)
        {
            _preview = null;
            _error = null;
        }

        StateHasChanged();
    }

    private async Task CheckAsync()
    {
        _checking = true;
        try
        {
            Show(await Doctor.CheckAsync(Stopping));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Snackbar.Add($"The doctor could not look at the cluster: {ex.Message}", Severity.Error);
        }
        finally
        {
            _checking = false;
        }
    }

    private async Task PreviewAsync(string fixId)
    {
        _error = null;
        _primaryId = null;
        await RunAsync(async () => _preview = await Doctor.FixAsync(fixId, Request, dryRun: true, Actor, Stopping), "preview");
    }

    /// <summary>Another primary for the slots: the preview is asked again, so it shows the commands that would be sent to it.</summary>
    private async Task ChoosePrimaryAsync(ChangeEventArgs change)
    {
        if (_preview is not { } preview)
        {
            return;
        }

        _primaryId = change.Value as string is { Length: > 0 } id ? id : null;
        _error = null;
        await RunAsync(async () => _preview = await Doctor.FixAsync(preview.Fix.Id, Request, dryRun: true, Actor, Stopping), "preview");
    }

    private DoctorFixRequest Request => new(_primaryId);

    private async Task ConfirmAsync()
    {
        if (_preview is not { } preview || !CanOperate)
        {
            return;
        }

        await RunAsync(async () =>
        {
            var outcome = await Doctor.FixAsync(preview.Fix.Id, Request, dryRun: false, Actor, Stopping);
            _preview = null;
            Snackbar.Add($"Fix sent: {CommandCount(outcome)} command(s). {outcome.Fix.Description}", Severity.Success);
            if (outcome.After is { } after)
            {
                Show(after);
            }
        }, "send");
    }

    private void ClosePreview()
    {
        _preview = null;
        _error = null;
        _primaryId = null;
    }

    private async Task RunAsync(Func<Task> action, string verb)
    {
        _busy = true;
        try
        {
            await action();
        }
        catch (RequestRefusedException ex)
        {
            _error = ex.Message;
            Snackbar.Add($"Cannot {verb} the fix: {ex.Message}", Severity.Error);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A failed fix (a command refused by a node) must not end the user's session.
            Logger.LogWarning(ex, "Doctor fix {Verb} failed", verb);
            _error = ex.Message;
            Snackbar.Add($"The fix failed: {ex.Message}", Severity.Error);
        }
        finally
        {
            _busy = false;
        }
    }

    private static int CommandCount(DoctorFixOutcome outcome) => outcome.Steps.Sum(s => s.Commands.Length);

    private static string SeverityName(DoctorSeverity severity) => severity.ToString().ToLowerInvariant();

    private static Color ColorOf(DoctorSeverity severity) => severity switch
    {
        DoctorSeverity.Error => Color.Error,
        DoctorSeverity.Warning => Color.Warning,
        _ => Color.Info,
    };
}
