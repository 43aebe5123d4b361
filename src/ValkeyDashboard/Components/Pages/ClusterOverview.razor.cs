using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using ValkeyDashboard.Api;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Clusters;

namespace ValkeyDashboard.Components.Pages;

/// <summary>
/// Every cluster the signed-in user may use, with its state and live figures, each a link to its page. Re-rendered
/// (behind the usual throttle) whenever any cluster's monitor polls; an unreachable cluster's slow polls hold up no row.
/// </summary>
public partial class ClusterOverview
{
    private StreamFollower? _follower;
    private ClaimsPrincipal? _user;

    [Inject]
    public required IClusterFleet Fleet { get; init; }

    /// <summary>Who is signed in; without it (sign-in off) every cluster is shown.</summary>
    [CascadingParameter]
    public Task<AuthenticationState>? AuthenticationState { get; set; }

    private IReadOnlyList<ClusterSummaryResponse> Visible =>
        [.. Fleet.Summaries().Where(c => _user is null || ClusterRouting.MayUse(_user, c.Name))];

    protected override void OnInitialized()
    {
        var throttle = new RenderThrottle(() => InvokeAsync(StateHasChanged));
        _follower = StreamFollower.Start(Fleet.WatchAsync, _ => throttle.Request());
    }

    protected override async Task OnParametersSetAsync() =>
        _user = AuthenticationState is null ? null : (await AuthenticationState).User;

    private static string ModeText(ClusterSummaryResponse cluster) =>
        (cluster.Mode == Cluster.Configuration.ValkeyMode.Embedded ? "embedded" : "external") + (cluster.Default ? " · default" : string.Empty);

    private static string StateText(ClusterState state) => state switch
    {
        ClusterState.Ok => "ok",
        ClusterState.Fail => "fail",
        ClusterState.Unreachable => "unreachable",
        _ => "connecting",
    };

    private static Color StateColor(ClusterState state) => state switch
    {
        ClusterState.Ok => Color.Success,
        ClusterState.Fail or ClusterState.Unreachable => Color.Error,
        _ => Color.Default,
    };

    public async ValueTask DisposeAsync()
    {
        if (_follower is not null)
        {
            await _follower.DisposeAsync();
        }
    }
}
