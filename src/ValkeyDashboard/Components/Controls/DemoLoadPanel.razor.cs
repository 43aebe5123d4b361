using System.Globalization;
using Microsoft.AspNetCore.Components;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Load;

namespace ValkeyDashboard.Components.Controls;

/// <summary>
/// The demo load on the page: follows <see cref="IDemoLoad.WatchAsync"/> (rendered behind the page's throttle), and
/// starts and stops it for an operator through the same service as <c>/api/load</c>, audited as the signed-in user.
/// </summary>
public sealed partial class DemoLoadPanel : IAsyncDisposable
{
    private StreamFollower? _follower;
    private DemoLoadState _state = DemoLoadState.None;
    private string _skew = "hot-slots";
    private int? _opsPerSecond;
    private int? _durationSeconds;
    private string? _error;
    private bool _busy;

    /// <summary>The signed-in user may start and stop the load (an operator); a viewer sees a running load's state only.</summary>
    [Parameter]
    public bool CanOperate { get; set; }

    /// <summary>Who asks, for the audit log.</summary>
    [Parameter, EditorRequired]
    public required string Actor { get; set; }

    [Inject]
    public required IDemoLoad Load { get; init; }

    protected override void OnInitialized()
    {
        _state = Load.Current;
        var throttle = new RenderThrottle(() => InvokeAsync(StateHasChanged));
        _follower = StreamFollower.Start(Load.WatchAsync, state =>
        {
            // The stream starts with the current state, which is already shown.
            if (state != _state)
            {
                _state = state;
                throttle.Request();
            }
        });
    }

    /// <summary>Cancelled when the panel goes away: what it sent meanwhile stops waiting.</summary>
    private CancellationToken Stopping => _follower!.Stopping;

    public async ValueTask DisposeAsync()
    {
        if (_follower is not null)
        {
            await _follower.DisposeAsync();
        }
    }

    private Task StartAsync() => RunAsync(() => Load.StartAsync(null, null, _opsPerSecond, _skew, _durationSeconds, Actor, Stopping));

    private Task StopAsync() => RunAsync(() => Load.StopAsync(Actor, Stopping));

    private async Task RunAsync(Func<Task<DemoLoadState>> command)
    {
        _busy = true;
        _error = null;
        try
        {
            _state = await command();
        }
        catch (RequestRefusedException ex)
        {
            _error = ex.Message;
        }
        finally
        {
            _busy = false;
        }
    }

    /// <summary>One line: what runs and how far it got, or how the last load ended.</summary>
    internal static string Describe(DemoLoadState state) => state switch
    {
        { Running: true, Parameters: { } p } => string.Create(CultureInfo.InvariantCulture,
            $"Running: {p.SkewName}, {DisplayFormat.Count(p.OpsPerSecond)} ops/s over {DisplayFormat.Count(p.Keys)} keys · {DisplayFormat.Count(state.OpsDone)} ops, {DisplayFormat.Count(state.Errors)} errors, {state.RateAchieved:0} ops/s · started by {state.StartedBy}"),
        { StopReason: { } reason } => string.Create(CultureInfo.InvariantCulture,
            $"Not running; the last load {reason} after {DisplayFormat.Count(state.OpsDone)} ops ({state.RateAchieved:0} ops/s)"),
        _ => "Not running. Start one to light up the heat map (demo: keys).",
    };
}
