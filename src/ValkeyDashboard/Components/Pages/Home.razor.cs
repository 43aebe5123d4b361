using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using ValkeyDashboard.Authentication;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Plans;
using ValkeyDashboard.Cluster.Restarts;
using ValkeyDashboard.Components.Controls;
using ValkeyDashboard.Components.Dialogs;
using ValkeyDashboard.Model;
using ValkeyDashboard.Model.HeatMap;
using ValkeyDashboard.Model.History;
using ValkeyDashboard.Components;

namespace ValkeyDashboard.Components.Pages;

/// <summary>
/// The cluster at a glance and the place to move slots. The page composes its parts: the live heat map and the
/// selection (moved through the preflight dialog, which is this page's own job), the plan being prepared
/// (<see cref="PlanPanel"/>, beside the map, whose moves the map hatches) and the plan that runs from the page's
/// <see cref="PlanBoard"/>, the running migrations and the history from the page's <see cref="MigrationBoard"/>, the
/// rolling restart from the page's <see cref="RollingRestartBoard"/>, the nodes with their commands and their processes
/// (<see cref="NodesPanel"/>), the doctor's findings and fixes (<see cref="DoctorPanel"/>), and the audit trail.
/// </summary>
public partial class Home
{
    /// <summary>A plan being prepared: a rebalance, or the drain of one primary, opened with a metric.</summary>
    private sealed record PlanDraft(PlanKind Kind, string? NodeId, PlanMetric Metric);

    private ClusterSnapshotWatcher? _watcher;
    private MigrationBoard _board = null!;
    private PlanBoard _plans = null!;
    private RollingRestartBoard _restarts = null!;
    private PlanDraft? _draft;
    private PlanPreview? _preview;
    private SlotHeatMap? _heatMap;
    private HeatMapLayer _metric = HeatMapLayer.Owner;
    private bool _logScale = true;
    private SlotRangeSet _selection = SlotRangeSet.Empty;
    private string? _target;
    private ClaimsPrincipal? _user;
    private SlotHistoryMoment? _moment;

    [Inject]
    public required IClusterSnapshotSource Monitor { get; init; }

    [Inject]
    public required ISlotMigrations Migrations { get; init; }

    [Inject]
    public required IPlanCommands Plans { get; init; }

    [Inject]
    public required IRollingRestarts RollingRestarts { get; init; }

    /// <summary>The embedded cluster's host: which node was adopted, which drifted from the configuration (no node in External mode).</summary>
    [Inject]
    public required LocalClusterHost Host { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    /// <summary>
    /// The cluster of <c>/clusters/{name}</c>: the layout resolves it (and refuses an unknown one, or one the user may
    /// not use) and cascades its services (<see cref="ClusterScope"/>); <c>/</c> is the default cluster.
    /// </summary>
    [Parameter]
    public string? ClusterRouteName { get; set; }

    /// <summary>The theme the layout shows (the heat map draws for it).</summary>
    [CascadingParameter(Name = "IsDarkMode")]
    public bool IsDarkMode { get; set; }

    /// <summary>Who is signed in (cascaded by the app); without it the page is read-only.</summary>
    [CascadingParameter]
    public Task<AuthenticationState>? AuthenticationState { get; set; }

    /// <summary>Operators move and cancel; viewers see everything but the controls for that.</summary>
    private bool CanOperate => _user?.IsInRole(DashboardRoles.Operator) == true;

    /// <summary>Who asks, for the history and the audit log.</summary>
    private string Actor => _user?.Identity?.Name ?? "ui";

    private ClusterSnapshot Snapshot => _watcher?.Snapshot ?? Monitor.Current;

    private int FailedCount => Snapshot.Nodes.Count(n => n.Health == NodeHealth.Failed);

    private long TotalKeys => Snapshot.Primaries.Sum(p => p.Keys ?? 0);

    /// <summary>Which per-slot layers the cluster's servers can report, and why not (e.g. Redis has no CLUSTER SLOT-STATS).</summary>
    private SlotLayerAvailability Layers => SlotLayerAvailability.Of(Snapshot);

    /// <summary>What the map hatches: the preview of the plan being prepared, else the moves of the running plan not started yet.</summary>
    private IReadOnlyList<HeatMapPlannedMove> PlannedMoves =>
        _draft is not null ? (_preview is null ? [] : HeatMapPlannedMove.Of(_preview))
        : _plans.Current is { IsFinished: false } plan ? HeatMapPlannedMove.PendingOf(plan)
        : [];

    private string Title => (ClusterScope is { Cluster.IsDefault: false } scope ? $"Valkey Dashboard · {scope.Cluster.Name}" : "Valkey Dashboard") + Snapshot.State switch
    {
        ClusterState.Ok => " · ok",
        ClusterState.Unknown => string.Empty,
        _ => $" · {Snapshot.State.ToString().ToLowerInvariant()}",
    };

    protected override void OnInitialized()
    {
        _watcher = new ClusterSnapshotWatcher(Monitor, () => InvokeAsync(StateHasChanged));
        // Migrations change many times a second while they run: the board's changes are rendered behind a throttle.
        var throttle = new RenderThrottle(() => InvokeAsync(StateHasChanged));
        _board = new MigrationBoard(Migrations, throttle.Request, Time);
        _plans = new PlanBoard(Plans, throttle.Request, Time);
        _restarts = new RollingRestartBoard(RollingRestarts, throttle.Request);
    }

    protected override async Task OnParametersSetAsync() =>
        _user = AuthenticationState is null ? null : (await AuthenticationState).User;

    private void MetricChanged(HeatMapLayer metric) => _metric = metric;

    private void OnSelectionChanged(SlotRangeSet selection) => _selection = selection;

    /// <summary>The node cards show the moment the time slider shows (its slots and keys), live otherwise.</summary>
    private ClusterSnapshot NodesSnapshot => _moment is null ? Snapshot : PastSnapshot.Apply(Snapshot, _moment.Point);

    private void OnMomentChanged(SlotHistoryMoment? moment) => _moment = moment;

    /// <summary>A hot slot picked from the list: selected on the map, so "Move to" works on it at once.</summary>
    private async Task SelectSlotAsync(int slot)
    {
        _selection = SlotRangeSet.FromSlots([slot]);
        if (_heatMap is not null)
        {
            await _heatMap.SetSelectionAsync(_selection);
        }
    }

    private void OpenBalance() => OpenPlan(PlanKind.Rebalance, null);

    private void OpenDrain(string nodeId) => OpenPlan(PlanKind.Drain, nodeId);

    /// <summary>"Rebalance onto it" on an empty primary: a rebalance, in which empty primaries take their share.</summary>
    private void OpenRebalanceOnto(string nodeId) => OpenPlan(PlanKind.Rebalance, null);

    private void OpenPlan(PlanKind kind, string? nodeId)
    {
        if (!CanOperate)
        {
            Snackbar.Add("Only an operator may plan moves; you are signed in as a viewer.", Severity.Warning);
            return;
        }

        if (_plans.HasActivePlan)
        {
            Snackbar.Add("A plan is running: one plan at a time. Wait for it, or cancel it.", Severity.Info);
            return;
        }

        // Keys are what costs; a cluster that holds none yet is balanced by slots.
        _draft = new PlanDraft(kind, nodeId, TotalKeys > 0 ? PlanMetric.Keys : PlanMetric.Slots);
        _preview = null;
    }

    private void OnPreviewChanged(PlanPreview? preview) => _preview = preview;

    private void ClosePlan()
    {
        _draft = null;
        _preview = null;
    }

    private void OnPlanStarted(Plan plan)
    {
        var shown = _preview;
        ClosePlan();
        _plans.Started(plan);
        Snackbar.Add($"Plan {DisplayFormat.ShortRecordId(plan.Id)} started: {plan.Moves.Length} move(s), {DisplayFormat.Count(plan.KeysToMove)} keys.", Severity.Success);
        if (shown is not null && !SameMoves(shown, plan))
        {
            Snackbar.Add("The cluster changed since the preview: the plan was computed again when it started, and its moves differ from those shown. They are listed with its progress.", Severity.Warning);
        }
    }

    private static bool SameMoves(PlanPreview preview, Plan plan) =>
        preview.Moves.Select(m => (m.SourceNodeId, m.TargetNodeId, m.Slots)).SequenceEqual(plan.Moves.Select(m => (m.SourceNodeId, m.TargetNodeId, m.Slots)));

    private async Task ClearSelectionAsync()
    {
        _selection = SlotRangeSet.Empty;
        if (_heatMap is not null)
        {
            await _heatMap.SetSelectionAsync(SlotRangeSet.Empty);
        }
    }

    private async Task MoveSelectionAsync()
    {
        if (_selection.IsEmpty)
        {
            return;
        }

        if (_target is null)
        {
            Snackbar.Add("Choose the node to move the selection to (\"Move to\" beside the selection), or drag the selection onto its card.", Severity.Info);
            return;
        }

        await OpenPreflightAsync(_selection, _target, fromSelection: true);
    }

    private Task OnDroppedAsync(SlotDrop drop) => OpenPreflightAsync(drop.Slots, drop.TargetNodeId, fromSelection: drop.Slots.Equals(_selection));

    /// <summary>Shows what moving <paramref name="slots"/> to the target means and, once confirmed, shows the started migration.</summary>
    private async Task OpenPreflightAsync(SlotRangeSet slots, string targetNodeId, bool fromSelection)
    {
        if (!CanOperate)
        {
            Snackbar.Add("Only an operator may move slots; you are signed in as a viewer.", Severity.Warning);
            return;
        }

        var target = Snapshot.FindNode(targetNodeId);
        if (target is not null && slots.Except(target.Slots).IsEmpty)
        {
            Snackbar.Add($"{target.Endpoint} already owns {slots}: nothing to move.", Severity.Info);
            return;
        }

        var parameters = new DialogParameters<MigrationPreflightDialog>
        {
            { d => d.Slots, slots },
            { d => d.TargetNodeId, targetNodeId },
            { d => d.TargetEndpoint, target?.Endpoint },
            { d => d.RequestedBy, Actor },
        };
        var options = new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseOnEscapeKey = true };
        var dialog = await Dialogs.ShowAsync<MigrationPreflightDialog>("Move slots", parameters, options);
        var result = await dialog.Result;
        if (result is not { Canceled: false, Data: string id })
        {
            return;
        }

        _board.Started(id);
        Snackbar.Add($"Migration {id} started: {slots} to {target?.Endpoint ?? targetNodeId}.", Severity.Success);
        if (fromSelection)
        {
            await ClearSelectionAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Both exist once the page was initialized; a page that failed before that has nothing to stop.
        if (_board is not null)
        {
            await _board.DisposeAsync();
        }

        if (_plans is not null)
        {
            await _plans.DisposeAsync();
        }

        if (_restarts is not null)
        {
            await _restarts.DisposeAsync();
        }

        if (_watcher is not null)
        {
            await _watcher.DisposeAsync();
        }
    }
}
