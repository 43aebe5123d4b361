using ValkeyDashboard.Cluster;
using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using ValkeyDashboard.Authentication;
using MudBlazor;
using Microsoft.Extensions.DependencyInjection;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Components.Controls;
using ValkeyDashboard.Components.Dialogs;
using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.Components.Pages;

/// <summary>
/// The cluster at a glance and the place to move slots: the live heat map, the selection, a card per primary
/// (drop targets), running migrations with progress and cancel, and the history. Live from the monitor and the
/// migration service; every browser sees the same migrations at the same time.
/// </summary>
public partial class Home
{
    /// <summary>How long a finished migration stays in the running panel (with its outcome) unless dismissed.</summary>
    public static readonly TimeSpan FinishedShownFor = TimeSpan.FromMinutes(2);

    /// <summary>At most this many finished migrations stay in the running panel (the history has them all).</summary>
    public const int FinishedShownAtMost = 3;

    private const int HistoryShown = 20;
    private const int HistoryLoaded = 200;

    private readonly CancellationTokenSource _cts = new();
    private readonly Dictionary<string, Migration> _history = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dismissed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _cancelling = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private ClusterSnapshotWatcher? _watcher;
    private RenderThrottle? _throttle;
    private Task _follow = Task.CompletedTask;
    private SlotHeatMap? _heatMap;
    private HeatMapLayer _metric = HeatMapLayer.Owner;
    private bool _logScale = true;
    private SlotRangeSet _selection = SlotRangeSet.Empty;
    private string? _target;

    [Inject]
    public required IClusterSnapshotSource Monitor { get; init; }

    [Inject]
    public required ISlotMigrations Migrations { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required ILogger<Home> Logger { get; init; }

    [CascadingParameter(Name = "IsDarkMode")]
    public bool IsDarkMode { get; set; }

    /// <summary>Who is signed in (cascaded by the app); without it the page is read-only.</summary>
    [CascadingParameter]
    public Task<AuthenticationState>? AuthenticationState { get; set; }

    private ClaimsPrincipal? _user;

    /// <summary>Operators move and cancel; viewers see everything but the controls for that.</summary>
    private bool CanOperate => _user?.IsInRole(DashboardRoles.Operator) == true;

    /// <summary>Who asks, for the history and the audit log.</summary>
    private string Actor => _user?.Identity?.Name ?? "ui";

    [Inject]
    public required IServiceProvider Services { get; init; }

    /// <summary>Node management of the embedded cluster (absent where the app does not provide it).</summary>
    private INodeCommands? Nodes => Services.GetService<INodeCommands>();

    private bool ManagesNodes => CanOperate && Nodes?.IsAvailable == true;

    private async Task StopNodeAsync(string nodeId)
    {
        var node = Snapshot.FindNode(nodeId);
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Stop node?",
            $"Stop {node?.Endpoint ?? nodeId}? It is stopped gracefully; {(node?.IsPrimary == true ? "its replica takes over its slots" : "its primary keeps serving")}. You can start it again here.",
            yesText: "Stop", cancelText: "Cancel");
        if (confirmed == true)
        {
            await RunNodeChangeAsync($"Stopping {node?.Endpoint}", () => Nodes!.StopAsync(nodeId, Actor));
        }
    }

    private Task StartNodeAsync(string nodeId) =>
        RunNodeChangeAsync($"Starting {Snapshot.FindNode(nodeId)?.Endpoint}", () => Nodes!.StartAsync(nodeId, Actor));

    private Task AddReplicaAsync(string primaryId) =>
        RunNodeChangeAsync($"Adding a replica of {Snapshot.FindNode(primaryId)?.Endpoint}", () => Nodes!.AddAsync("replica", primaryId, Actor));

    private Task AddPrimaryAsync() => RunNodeChangeAsync("Adding an empty primary", () => Nodes!.AddAsync("primary", null, Actor));

    /// <summary>Runs a node change, saying what happens and how it ended (the service refuses what is unsafe and audits it).</summary>
    private async Task RunNodeChangeAsync(string what, Func<Task> change)
    {
        if (!ManagesNodes)
        {
            return;
        }

        Snackbar.Add($"{what}…", Severity.Info);
        try
        {
            await change();
            Snackbar.Add($"{what}: done.", Severity.Success);
        }
        catch (RequestRefusedException ex)
        {
            Snackbar.Add($"{what}: refused: {ex.Message}", Severity.Warning);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Logger.LogWarning(ex, "{What} failed", what);
            Snackbar.Add($"{what}: failed: {ex.Message}", Severity.Error);
        }
    }

    protected override async Task OnParametersSetAsync() =>
        _user = AuthenticationState is null ? null : (await AuthenticationState).User;

    private ClusterSnapshot Snapshot => _watcher?.Snapshot ?? Monitor.Current;

    private int FailedCount => Snapshot.Nodes.Count(n => n.Health == NodeHealth.Failed);

    private long TotalKeys => Snapshot.Primaries.Sum(p => p.Keys ?? 0);

    private bool HasSlotStats => Snapshot.SlotStatistics.CpuUsec is not null;

    private string Title => Snapshot.State switch
    {
        ClusterState.Ok => "Valkey Dashboard · ok",
        ClusterState.Unknown => "Valkey Dashboard",
        _ => $"Valkey Dashboard · {Snapshot.State.ToString().ToLowerInvariant()}",
    };

    /// <summary>Running migrations, then those that finished in the last <see cref="FinishedShownFor"/> and were not dismissed.</summary>
    private IReadOnlyList<Migration> ActiveItems
    {
        get
        {
            var now = DateTimeOffset.UtcNow;
            lock (_gate)
            {
                var running = _history.Values.Where(m => !m.IsFinished).OrderByDescending(m => m.CreatedAt);
                var finished = _history.Values
                    .Where(m => m.IsFinished && !_dismissed.Contains(m.Id) && now - (m.FinishedAt ?? now) < FinishedShownFor)
                    .OrderByDescending(m => m.FinishedAt)
                    .Take(FinishedShownAtMost);
                return [.. running, .. finished];
            }
        }
    }

    private IReadOnlyList<Migration> HistoryItems
    {
        get
        {
            lock (_gate)
            {
                return [.. _history.Values.Where(m => m.IsFinished).OrderByDescending(m => m.CreatedAt).Take(HistoryShown)];
            }
        }
    }

    private int FinishedCount
    {
        get
        {
            lock (_gate)
            {
                return _history.Values.Count(m => m.IsFinished);
            }
        }
    }

    private SlotRangeSet MovingSlots
    {
        get
        {
            lock (_gate)
            {
                return _history.Values.Where(m => !m.IsFinished).Aggregate(SlotRangeSet.Empty, (all, m) => all.Union(m.Slots));
            }
        }
    }

    protected override void OnInitialized()
    {
        _watcher = new ClusterSnapshotWatcher(Monitor, () => InvokeAsync(StateHasChanged));
        _throttle = new RenderThrottle(() => InvokeAsync(StateHasChanged));
        _follow = FollowMigrationsAsync(_cts.Token);
    }

    private async Task FollowMigrationsAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            // Subscribed first, then the list read: a change in between arrives twice, never not at all.
            await using var updates = Migrations.WatchAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            var next = updates.MoveNextAsync();
            lock (_gate)
            {
                foreach (var migration in Migrations.List(1, HistoryLoaded).Items)
                {
                    _history.TryAdd(migration.Id, migration);
                }
            }

            _throttle!.Request();
            while (await next)
            {
                var migration = updates.Current;
                lock (_gate)
                {
                    _history[migration.Id] = migration;
                }

                _throttle.Request();
                next = updates.MoveNextAsync();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void MetricChanged(HeatMapLayer metric) => _metric = metric;

    private void OnSelectionChanged(SlotRangeSet selection) => _selection = selection;

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

    private Task OnDroppedAsync(SlotDrop drop)
    {
        var fromSelection = drop.Slots.Equals(_selection);
        return OpenPreflightAsync(drop.Slots, drop.TargetNodeId, fromSelection);
    }

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

        lock (_gate)
        {
            _dismissed.Remove(id);
            if (Migrations.Find(id) is { } started)
            {
                _history[id] = started;
            }
        }

        Snackbar.Add($"Migration {id} started: {slots} to {target?.Endpoint ?? targetNodeId}.", Severity.Success);
        if (fromSelection)
        {
            await ClearSelectionAsync();
        }
    }

    private async Task CancelAsync(string id)
    {
        if (!CanOperate)
        {
            Snackbar.Add("Only an operator may cancel migrations; you are signed in as a viewer.", Severity.Warning);
            return;
        }

        lock (_gate)
        {
            _cancelling.Add(id);
        }

        try
        {
            var migration = await Migrations.CancelAsync(id, Actor);
            lock (_gate)
            {
                _history[id] = migration;
            }
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
        finally
        {
            lock (_gate)
            {
                _cancelling.Remove(id);
            }
        }
    }

    private void Dismiss(string id)
    {
        lock (_gate)
        {
            _dismissed.Add(id);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        await _follow;
        if (_watcher is not null)
        {
            await _watcher.DisposeAsync();
        }

        _cts.Dispose();
    }
}
