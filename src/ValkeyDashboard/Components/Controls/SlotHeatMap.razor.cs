using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.Components.Controls;

/// <summary>A slot range set dropped on a node card (from the map's selection or a card's range chip).</summary>
public sealed record SlotDrop(SlotRangeSet Slots, string TargetNodeId);

/// <summary>
/// The live heat map of all 16,384 slots. Follows <see cref="SlotHeatMapSource"/> and sends this browser only
/// what changed (<see cref="HeatMapFrameEncoder"/>); the browser draws, hit-tests, hovers and selects, and calls
/// back only to commit a selection, a drop, or a move request.
/// </summary>
public sealed partial class SlotHeatMap : IAsyncDisposable
{
    /// <summary>The module that draws the map (in the app's wwwroot).</summary>
    public const string ModulePath = "./js/slot-heatmap.js";

    /// <summary>
    /// How long disposing waits for the browser to release the map. A closing page can leave the circuit believing the
    /// browser is there until the interop call times out (a minute), which would hold the circuit's disposal, the
    /// browser's disconnect request and the dashboard's shutdown that long.
    /// </summary>
    private static readonly TimeSpan DisposeTimeout = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _cts = new();
    private readonly HeatMapFrameEncoder _encoder = new();
    private ElementReference _canvas;
    private ElementReference _legend;
    private ElementReference _tooltip;
    private IJSObjectReference? _module;
    private DotNetObjectReference<SlotHeatMap>? _self;
    private Task _follow = Task.CompletedTask;
    private SlotHeatLayers? _layers;
    private SlotHeatLayers? _live;
    private object? _viewShown;

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Inject]
    public required SlotHeatMapSource Source { get; init; }

    [Inject]
    public required ILogger<SlotHeatMap> Logger { get; init; }

    /// <summary>What colours the cells: the owner or one of the slot statistics.</summary>
    [Parameter]
    public HeatMapLayer Metric { get; set; } = HeatMapLayer.Owner;

    /// <summary>Colour statistics on a logarithmic scale (the default: a few hot slots would otherwise hide the rest).</summary>
    [Parameter]
    public bool LogScale { get; set; } = true;

    /// <summary>Draw for the dark theme.</summary>
    [Parameter]
    public bool IsDarkMode { get; set; }

    /// <summary>Slots of running migrations, marked with stripes.</summary>
    [Parameter]
    public SlotRangeSet MovingSlots { get; set; } = SlotRangeSet.Empty;

    /// <summary>Slots a plan is to move (a preview, or a running plan's moves not started yet), hatched in their target's colour.</summary>
    [Parameter]
    public IReadOnlyList<HeatMapPlannedMove> PlannedMoves { get; set; } = [];

    /// <summary>
    /// A past moment to show instead of the live figures (from the slot history), or null for live. While it is set,
    /// live frames are followed but not drawn; clearing it brings the map straight back to the latest ones.
    /// </summary>
    [Parameter]
    public SlotHeatLayers? Past { get; set; }

    /// <summary>The user selected slots (pointer or keyboard); empty when the selection was cleared.</summary>
    [Parameter]
    public EventCallback<SlotRangeSet> SelectionChanged { get; set; }

    /// <summary>The user dropped slots on a node card.</summary>
    [Parameter]
    public EventCallback<SlotDrop> Dropped { get; set; }

    /// <summary>The user pressed Enter on the map to move the selection.</summary>
    [Parameter]
    public EventCallback MoveRequested { get; set; }

    /// <summary>Replaces the selection drawn in the browser (does not raise <see cref="SelectionChanged"/>).</summary>
    public async Task SetSelectionAsync(SlotRangeSet slots)
    {
        if (_module is not null)
        {
            await _module.InvokeVoidAsync("setSelection", _canvas, slots.ToString());
        }
    }

    /// <summary>From the browser: the committed selection, as "a-b,c".</summary>
    [JSInvokable("SelectionChanged")]
    public Task OnSelectionChangedAsync(string ranges) =>
        SelectionChanged.InvokeAsync(SlotRangeSet.TryParse(ranges, out var slots, out _) ? slots : SlotRangeSet.Empty);

    /// <summary>From the browser: <paramref name="ranges"/> were dropped on the card of <paramref name="nodeId"/>.</summary>
    [JSInvokable("Dropped")]
    public Task OnDroppedAsync(string ranges, string nodeId) =>
        SlotRangeSet.TryParse(ranges, out var slots, out _) && !slots.IsEmpty
            ? Dropped.InvokeAsync(new SlotDrop(slots, nodeId))
            : Task.CompletedTask;

    /// <summary>From the browser: Enter on the map.</summary>
    [JSInvokable("MoveRequested")]
    public Task OnMoveRequestedAsync() => MoveRequested.InvokeAsync();

    protected override async Task OnParametersSetAsync()
    {
        if (_module is not null)
        {
            _layers = Past ?? _live;
            try
            {
                await ShowAsync(_cts.Token);
            }
            catch (OperationCanceledException) when (_cts.IsCancellationRequested)
            {
                // Disposed meanwhile: nothing to show.
            }
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        _module = await JS.InvokeAsync<IJSObjectReference>("import", ModulePath);
        _self = DotNetObjectReference.Create(this);
        _live = Source.Current;
        _layers = Past ?? _live;
        _viewShown = ViewKey();
        await _module.InvokeVoidAsync("initialize", _canvas, _self, _legend, _tooltip, View(), HeatMapContract.Current);
        await SendFrameAsync(_cts.Token);
        _follow = FollowAsync(_cts.Token);
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var layers in Source.WatchAsync(cancellationToken))
            {
                await InvokeAsync(async () =>
                {
                    _live = layers;
                    if (Past is not null)
                    {
                        return;
                    }

                    _layers = layers;
                    try
                    {
                        await ShowAsync(cancellationToken);
                    }
                    catch (JSException ex)
                    {
                        // The browser keeps what it has; the next frame is whole so it cannot drift.
                        Logger.LogWarning(ex, "The browser could not apply heat map frame {Version}", layers.Version);
                        _encoder.Reset();
                    }
                });
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (JSDisconnectedException)
        {
            // The browser went away; the circuit disposes this component.
        }
    }

    /// <summary>Brings the browser up to date: the view when it changed, then the frame of what changed.</summary>
    private async Task ShowAsync(CancellationToken cancellationToken)
    {
        var key = ViewKey();
        if (!Equals(key, _viewShown))
        {
            _viewShown = key;
            await _module!.InvokeVoidAsync("setView", cancellationToken, _canvas, View());
        }

        await SendFrameAsync(cancellationToken);
    }

    private async Task SendFrameAsync(CancellationToken cancellationToken)
    {
        if (_layers is null || _layers.Version == 0)
        {
            return;
        }

        var frame = _encoder.Encode(_layers, Metric);
        if (frame is not null)
        {
            await _module!.InvokeVoidAsync("applyFrame", cancellationToken, _canvas, frame);
        }
    }

    private object View() => new
    {
        metric = (int)Metric,
        logScale = LogScale,
        dark = IsDarkMode,
        owners = (_layers?.Owners ?? []).Select(o => new { index = o.Index, id = o.Id, endpoint = o.Endpoint, color = o.Color }),
        moving = MovingSlots.ToString(),
        planned = PlannedMoves.Select(m => new { slots = m.Slots.ToString(), target = m.TargetNodeId }),
        unavailableReason = _layers?.UnavailableReason,
    };

    private (HeatMapLayer, bool, bool, string, string, string, string?) ViewKey() =>
        (Metric, LogScale, IsDarkMode, string.Join(';', (_layers?.Owners ?? []).Select(o => $"{o.Index}={o.Endpoint}/{o.Color}")), MovingSlots.ToString(),
         string.Join(' ', PlannedMoves.Select(m => $"{m.Slots}>{m.TargetNodeId}")), _layers?.UnavailableReason);

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        await _follow;
        if (_module is not null)
        {
            using var timeout = new CancellationTokenSource(DisposeTimeout);
            try
            {
                await _module.InvokeVoidAsync("dispose", timeout.Token, _canvas);
                await _module.DisposeAsync().AsTask().WaitAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is JSDisconnectedException or OperationCanceledException)
            {
                // The browser is gone (or not answering): the page and everything on it went with it.
            }
        }

        _self?.Dispose();
        _cts.Dispose();
    }
}
