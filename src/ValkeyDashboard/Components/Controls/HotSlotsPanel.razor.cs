using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using ValkeyDashboard.Api;
using ValkeyDashboard.Model.History;

namespace ValkeyDashboard.Components.Controls;

/// <summary>
/// The hot slots: the top slots by CPU, network or keys over a window (<see cref="SlotHistory.HotAsync"/>, the same list
/// as <c>GET /api/slots/hot</c>), with owner, share of the owner's load and trend, refreshed every
/// <see cref="RefreshInterval"/>. Clicking a slot (or Enter on it) raises <see cref="SlotSelected"/>.
/// </summary>
public sealed partial class HotSlotsPanel : IAsyncDisposable
{
    private static readonly (HotSlotMetric Metric, string Name)[] MetricNames =
        [.. new[] { HotSlotMetric.Cpu, HotSlotMetric.Network, HotSlotMetric.Keys }.Select(m => (m, SlotHistoryApi.NameOf(m)))];

    private readonly CancellationTokenSource _cts = new();
    private HotSlotMetric _metric = HotSlotMetric.Cpu;
    private string _window = "1m";
    private HotSlotList? _list;
    private Task _refresh = Task.CompletedTask;

    [Inject]
    public required SlotHistory History { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required ILogger<HotSlotsPanel> Logger { get; init; }

    /// <summary>How many slots the list shows.</summary>
    [Parameter]
    public int Limit { get; set; } = 10;

    /// <summary>How often the list is read again.</summary>
    [Parameter]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The user picked a slot from the list.</summary>
    [Parameter]
    public EventCallback<int> SlotSelected { get; set; }

    private string MetricName => SlotHistoryApi.NameOf(_metric);

    private string Unit => SlotHistoryApi.UnitOf(_metric);

    protected override async Task OnInitializedAsync()
    {
        await LoadAsync();
        _refresh = RefreshAsync(_cts.Token);
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RefreshInterval, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await InvokeAsync(async () =>
                {
                    await LoadAsync();
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task LoadAsync()
    {
        try
        {
            // The page offers only windows that parse (PageWindows); "latest" is null.
            _list = await History.HotAsync(_metric, SlotHistoryApi.TryParseWindow(_window, out var window) ? window : null, Limit, _cts.Token);
        }
        catch (ObjectDisposedException)
        {
            // The app is stopping: the history's store has gone, and this circuit goes with it.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The list keeps what it showed; the next refresh tries again.
            Logger.LogWarning(ex, "Could not read the hot slots: {Reason}", ex.Message);
        }
    }

    private async Task OnMetricChangedAsync(ChangeEventArgs e)
    {
        if (SlotHistoryApi.TryParseHotMetric(e.Value?.ToString(), out var metric))
        {
            _metric = metric;
            await LoadAsync();
        }
    }

    private async Task OnWindowChangedAsync(ChangeEventArgs e)
    {
        if (e.Value?.ToString() is { } window && SlotHistoryApi.PageWindows.Contains(window))
        {
            _window = window;
            await LoadAsync();
        }
    }

    private Task SelectAsync(int slot) => SlotSelected.InvokeAsync(slot);

    private Task OnRowKeyAsync(KeyboardEventArgs e, int slot) => e.Key is "Enter" or " " ? SelectAsync(slot) : Task.CompletedTask;

    private static string MetricLabel(HotSlotMetric metric) => metric switch
    {
        HotSlotMetric.Cpu => "CPU",
        HotSlotMetric.Network => "Network",
        HotSlotMetric.NetworkIn => "Network in",
        HotSlotMetric.NetworkOut => "Network out",
        _ => "Keys",
    };

    private static string WindowLabel(string window) => window switch
    {
        "latest" => "now",
        "1m" => "over 1 min",
        "10m" => "over 10 min",
        _ => "over 1 h",
    };

    private string Figure(double value) => _metric == HotSlotMetric.Keys
        ? DisplayFormat.Count((long)Math.Round(value))
        : value.ToString(value >= 100 ? "N0" : "N1", CultureInfo.InvariantCulture);

    private static string Trend(double? trend) => trend switch
    {
        null => "–",
        > 0.05 => $"▲ {Percent(trend.Value)}",
        < -0.05 => $"▼ {Percent(-trend.Value)}",
        _ => "≈",
    };

    private static string Percent(double share) => string.Create(CultureInfo.InvariantCulture, $"{share * 100:0}%");

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        await _refresh;
        _cts.Dispose();
    }
}
