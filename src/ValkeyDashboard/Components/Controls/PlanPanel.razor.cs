using System.Collections.Immutable;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Plans;
using ValkeyDashboard.Components;

namespace ValkeyDashboard.Components.Controls;

/// <summary>
/// Prepares a plan — a rebalance of the whole cluster, or the drain of one primary — and starts it. Every change of the
/// metric, the threshold or a weight asks <see cref="IPlanCommands.PreviewAsync"/> again (a preview moves nothing) and
/// hands the result to the page through <see cref="PreviewChanged"/>, which hatches the moving slots on the map; the
/// panel shows the moves with keys and bytes, each primary's figure before and after beside a chart of them, the
/// warnings and the estimated time. Refusals are shown with the service's message.
/// </summary>
public sealed partial class PlanPanel
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly Dictionary<string, double> _weights = new(StringComparer.Ordinal);
    private PlanMetric _metric;
    private double? _thresholdPercent;
    private bool _showWeights;
    private bool _loading;
    private bool _starting;
    private int _version;
    private string? _error;
    private PlanPreview? _preview;
    private DateTimeOffset _computedAt;
    private List<ChartSeries<double>> _series = [];
    private string[] _labels = [];
    private BarChartOptions _chartOptions = new();

    /// <summary>A rebalance of every primary, or the drain of <see cref="DrainNodeId"/>.</summary>
    [Parameter]
    public PlanKind Kind { get; set; }

    /// <summary>For a drain, the primary to empty.</summary>
    [Parameter]
    public string? DrainNodeId { get; set; }

    /// <summary>The metric the panel opens with.</summary>
    [Parameter]
    public PlanMetric InitialMetric { get; set; } = PlanMetric.Keys;

    /// <summary>The cluster as the page shows it: the primaries to weigh, their endpoints and colours.</summary>
    [Parameter, EditorRequired]
    public required ClusterSnapshot Snapshot { get; set; }

    /// <summary>Who asks, for the plan and the audit log.</summary>
    [Parameter, EditorRequired]
    public required string Actor { get; set; }

    /// <summary>The plan the panel shows now (null while none is: none computed yet, or refused).</summary>
    [Parameter]
    public EventCallback<PlanPreview?> PreviewChanged { get; set; }

    /// <summary>The plan was started (the panel's job is done).</summary>
    [Parameter]
    public EventCallback<Plan> Started { get; set; }

    /// <summary>The user closed the panel without starting anything.</summary>
    [Parameter]
    public EventCallback CloseRequested { get; set; }

    [Inject]
    public required IPlanCommands Plans { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required ILogger<PlanPanel> Logger { get; init; }

    private IEnumerable<ClusterNode> Primaries => Snapshot.Primaries.OrderBy(p => p.Endpoint, StringComparer.Ordinal);

    private string? DrainEndpoint => DrainNodeId is null ? null : Snapshot.FindNode(DrainNodeId)?.Endpoint ?? DisplayFormat.ShortId(DrainNodeId);

    private string Title => Kind == PlanKind.Drain ? $"Drain {DrainEndpoint}" : "Balance the cluster";

    private string Explanation => Kind == PlanKind.Drain
        ? $"Every slot of {DrainEndpoint} goes to the other primaries, where it balances the metric best; then remove it from its card " +
          "(Valkey usually makes it a replica first). Nothing moves until you start: the map hatches each slot in its future owner's colour."
        : "Every primary ends within the threshold of its weighted share of the metric, moving as little as possible. " +
          "Nothing moves until you start: the map hatches each slot in its future owner's colour.";

    private int WeightsSet => _weights.Count(w => w.Value != 1);

    private bool CanStart => _preview is { Moves.IsEmpty: false } && !_loading && !_starting;

    protected override async Task OnInitializedAsync()
    {
        _metric = InitialMetric;
        await RefreshAsync();
    }

    private static string MetricLabel(PlanMetric metric) => metric switch
    {
        PlanMetric.Cpu => "CPU",
        PlanMetric.Memory => "Memory",
        _ => metric.ToString(),
    };

    private bool IsDrained(string nodeId) => Kind == PlanKind.Drain && string.Equals(nodeId, DrainNodeId, StringComparison.Ordinal);

    private double WeightOf(string nodeId) => _weights.GetValueOrDefault(nodeId, 1);

    private string ColorOf(string nodeId) =>
        DashboardTheme.OwnerColorsOf(Snapshot).TryGetValue(nodeId, out var color) ? color : DashboardTheme.OwnerColor(0);

    private Task MetricChangedAsync(PlanMetric metric)
    {
        _metric = metric;
        return RefreshAsync();
    }

    private Task ThresholdChangedAsync(double? percent)
    {
        _thresholdPercent = percent;
        return RefreshAsync();
    }

    private Task WeightChangedAsync(string nodeId, double weight)
    {
        _weights[nodeId] = weight;
        return RefreshAsync();
    }

    /// <summary>The request the panel's settings make; weights left at 1 are not sent.</summary>
    private PlanRequest Request() => new(
        Kind,
        _metric,
        Kind == PlanKind.Drain && DrainNodeId is not null ? [DrainNodeId] : [],
        _weights.Where(w => w.Value != 1 && !IsDrained(w.Key)).ToImmutableDictionary(StringComparer.Ordinal),
        _thresholdPercent / 100,
        Actor);

    /// <summary>Asks for the plan of the current settings; an answer overtaken by a later change is dropped.</summary>
    private async Task RefreshAsync()
    {
        var version = ++_version;
        _loading = true;
        _error = null;
        PlanPreview? preview = null;
        string? error = null;
        try
        {
            preview = await Plans.PreviewAsync(Request());
        }
        catch (RequestRefusedException ex)
        {
            error = ex.Message;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Logger.LogWarning(ex, "Previewing a {Kind} by {Metric} failed", Kind, _metric);
            error = $"The plan could not be computed: {ex.Message}";
        }

        if (version != _version)
        {
            return;
        }

        _loading = false;
        _error = error;
        _preview = preview;
        _computedAt = Time.GetUtcNow();
        BuildChart();
        await PreviewChanged.InvokeAsync(preview);
    }

    private async Task StartAsync()
    {
        if (!CanStart)
        {
            return;
        }

        _starting = true;
        _error = null;
        try
        {
            var (plan, _) = await Plans.StartAsync(Request());
            await Started.InvokeAsync(plan);
        }
        catch (RequestRefusedException ex)
        {
            _error = $"Not started: {ex.Message}";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Logger.LogWarning(ex, "Starting a {Kind} by {Metric} failed", Kind, _metric);
            _error = $"Starting failed: {ex.Message}";
        }
        finally
        {
            _starting = false;
        }
    }

    private async Task CloseAsync()
    {
        // A preview still on its way must not reach the page after the panel closed.
        _version++;
        await CloseRequested.InvokeAsync();
    }

    /// <summary>Before, after and target per primary, in the order of the figures table.</summary>
    private void BuildChart()
    {
        if (_preview is not { } preview)
        {
            _series = [];
            _labels = [];
            return;
        }

        var nodes = preview.Nodes;
        _labels = [.. nodes.Select(n => n.Endpoint)];
        _series =
        [
            new() { Name = "Before", Data = nodes.Select(n => n.Before).ToArray() },
            new() { Name = "After", Data = nodes.Select(n => n.After).ToArray() },
            new() { Name = "Target", Data = nodes.Select(n => n.Target).ToArray() },
        ];
        var metric = preview.Metric;
        _chartOptions = new BarChartOptions
        {
            ChartPalette = ["#9e9e9e", "#6947c8", "#26a69a"],
            YAxisToStringFunc = value => Compact(metric, value),
            TooltipTitleFormat = "{{SERIES_NAME}}: {{Y_VALUE}}",
        };
    }

    /// <summary>An axis label: short (1.2k, 3.4M), with the unit of memory and network.</summary>
    private static string Compact(PlanMetric metric, double value)
    {
        var (scaled, suffix) = Math.Abs(value) switch
        {
            >= 1e9 => (value / 1e9, "G"),
            >= 1e6 => (value / 1e6, "M"),
            >= 1e3 => (value / 1e3, "k"),
            _ => (value, string.Empty),
        };
        var unit = metric switch
        {
            PlanMetric.Memory => "B",
            PlanMetric.Network => "B/s",
            _ => string.Empty,
        };
        return string.Create(Invariant, $"{scaled:0.#}{suffix}{unit}");
    }
}
