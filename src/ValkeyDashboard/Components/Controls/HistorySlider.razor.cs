using System.Globalization;
using Microsoft.AspNetCore.Components;
using ValkeyDashboard.Model;
using ValkeyDashboard.Model.History;

namespace ValkeyDashboard.Components.Controls;

/// <summary>A migration or plan on the slider: where it started, its test id, kind (<c>migration</c> or <c>plan</c>) and title.</summary>
public sealed record HistoryMark(string TestId, string Kind, DateTimeOffset At, string Title);

/// <summary>
/// The time slider under the heat map. Its range is the stored slot history up to <see cref="Now"/>; moving it back
/// loads the nearest stored point at or before that moment (<see cref="SlotHistory.AtAsync"/>) and hands it to the page,
/// which shows it on the map and the node cards; migrations and plans are marks that jump to their start; Live hands
/// back null.
/// </summary>
public sealed partial class HistorySlider
{
    private DateTimeOffset? _first;
    private DateTimeOffset? _position;
    private SlotHistoryMoment? _moment;

    [Inject]
    public required SlotHistory History { get; init; }

    /// <summary>The latest live moment (the snapshot's time): the slider's right end.</summary>
    [Parameter]
    public DateTimeOffset Now { get; set; }

    /// <summary>The page's migrations (running and finished), shown as marks at their start.</summary>
    [Parameter]
    public MigrationBoard? Migrations { get; set; }

    /// <summary>The page's plans, shown as marks at their start.</summary>
    [Parameter]
    public PlanBoard? Plans { get; set; }

    /// <summary>The moment chosen on the slider, or null when the user went back to live.</summary>
    [Parameter]
    public EventCallback<SlotHistoryMoment?> MomentChanged { get; set; }

    private IEnumerable<HistoryMark> Marks =>
        _first is not { } first ? []
        : MigrationMarks.Concat(PlanMarks).Where(m => m.At >= first && m.At <= Now);

    private IEnumerable<HistoryMark> MigrationMarks =>
        (Migrations?.ActiveItems ?? []).Concat(Migrations?.HistoryItems ?? []).DistinctBy(m => m.Id)
            .Select(m => new HistoryMark($"history-mark-{m.Id}", "migration", m.StartedAt ?? m.CreatedAt,
                $"Migration of {DisplayFormat.Ranges(m.Slots, 3)} ({m.State.ToString().ToLowerInvariant()}), {Time(m.StartedAt ?? m.CreatedAt)}: click to see the slots before it"));

    private IEnumerable<HistoryMark> PlanMarks =>
        (Plans?.Current is { } current ? [current] : Enumerable.Empty<Cluster.Plans.Plan>()).Concat(Plans?.HistoryItems ?? []).DistinctBy(p => p.Id)
            .Select(p => new HistoryMark($"history-mark-plan-{p.Id}", "plan", p.StartedAt ?? p.CreatedAt,
                $"Plan {DisplayFormat.ShortRecordId(p.Id)} ({p.State.ToString().ToLowerInvariant()}), {Time(p.StartedAt ?? p.CreatedAt)}: click to see the slots before it"));

    private long SpanSeconds => _first is { } first ? Math.Max(0, (long)(Now - first).TotalSeconds) : 0;

    private long PositionSeconds => _first is { } first && _position is { } at ? Math.Clamp((long)(at - first).TotalSeconds, 0, SpanSeconds) : SpanSeconds;

    private string Label =>
        _moment is { } moment ? $"Showing {Time(moment.Point.At)} ({DisplayFormat.Duration(moment.Interval)} points)"
        : _first is null ? "Live · the history starts with the next points"
        : "Live";

    protected override async Task OnParametersSetAsync()
    {
        // Until the first point is stored (a new cluster), look again at each refresh of the page.
        if (_first is null)
        {
            await LoadExtentAsync();
        }
    }

    private async Task LoadExtentAsync() => _first = (await History.ExtentAsync())?.First;

    private async Task OnSliderChangedAsync(ChangeEventArgs e)
    {
        if (_first is not { } first || !long.TryParse(e.Value?.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return;
        }

        if (seconds >= SpanSeconds)
        {
            await LiveAsync();
            return;
        }

        await ShowAsync(first.AddSeconds(seconds));
    }

    private Task JumpAsync(DateTimeOffset at) => ShowAsync(at);

    private async Task ShowAsync(DateTimeOffset at)
    {
        _position = at;
        var moment = await History.AtAsync(at);
        if (moment is null)
        {
            // Before the first point: the first one is the nearest there is.
            await LoadExtentAsync();
            moment = _first is { } first ? await History.AtAsync(first) : null;
        }

        if (moment is not null)
        {
            _moment = moment;
            await MomentChanged.InvokeAsync(moment);
        }
    }

    private async Task LiveAsync()
    {
        _position = null;
        _moment = null;
        await MomentChanged.InvokeAsync(null);
    }

    private double Percent(DateTimeOffset at) => SpanSeconds == 0 ? 100 : Math.Clamp((at - _first!.Value).TotalSeconds / SpanSeconds * 100, 0, 100);

    private static string Time(DateTimeOffset at) => at.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
}
