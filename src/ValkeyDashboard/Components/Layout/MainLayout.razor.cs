using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Clusters;

namespace ValkeyDashboard.Components.Layout;

/// <summary>
/// The app bar and the frame of every page. The layout knows which cluster the address is about (<c>/clusters/{name}</c>,
/// <c>/</c> for the default one, none on the <c>/clusters</c> overview), refuses an unknown one or one the signed-in
/// token may not use instead of showing the page, and cascades the cluster's services (<see cref="ClusterScope"/>)
/// to the page and the dialogs.
/// </summary>
public partial class MainLayout
{
    private const string OverviewKey = "";

    private ClusterSnapshotWatcher? _watcher;
    private ClusterScope? _scope;
    private DashboardCluster? _cluster;
    private (string TestId, string Message)? _problem;
    private string? _key;
    private IReadOnlyList<string> _names = [];
    private bool _isDarkMode;

    [Inject]
    public required DashboardClusters Clusters { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    /// <summary>The circuit's services, for what a further cluster does not own.</summary>
    [Inject]
    public required IServiceProvider Services { get; init; }

    /// <summary>Who is signed in, for a browser signed in with the sign-in cookie (it can sign out); null with sign-in off.</summary>
    private string? _signedInAs;

    [CascadingParameter]
    public Task<AuthenticationState>? AuthenticationState { get; set; }

    private ClusterSnapshot? Snapshot => _watcher?.Snapshot;

    /// <summary>What the app bar calls the cluster: its name (when there are several) and where it is.</summary>
    private string ClusterTitle => _cluster is { } cluster
        ? (Clusters.Names.Count > 1 ? $"{cluster.Name} · " : string.Empty) + cluster.Services.GetRequiredService<IOptions<ValkeyOptions>>().Value.DisplayName
        : _key == OverviewKey ? "All clusters" : _key ?? string.Empty;

    protected override async Task OnParametersSetAsync()
    {
        var user = AuthenticationState is null ? null : (await AuthenticationState).User;
        _signedInAs = user?.Identity is { IsAuthenticated: true, AuthenticationType: CookieAuthenticationDefaults.AuthenticationScheme } identity
            ? identity.Name ?? "signed in"
            : null;
        var key = RouteCluster(Navigation.ToBaseRelativePath(Navigation.Uri)) ?? Clusters.Default.Name;
        if (key != _key)
        {
            _key = key;
            await ShowAsync(key, user);
        }
    }

    /// <summary>The cluster a page address names: its name, <see cref="OverviewKey"/> for the overview, null for the default cluster's pages.</summary>
    internal static string? RouteCluster(string relativePath)
    {
        var path = relativePath.Split('?', '#')[0].TrimEnd('/');
        if (path == "clusters")
        {
            return OverviewKey;
        }

        if (!path.StartsWith("clusters/", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = path["clusters/".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return Uri.UnescapeDataString(slash < 0 ? rest : rest[..slash]);
    }

    private async Task ShowAsync(string key, ClaimsPrincipal? user)
    {
        // The new cluster's state is set before anything is awaited: a render in between (while the old watcher and
        // scope are disposed) must not build the new page with the old cluster's services.
        var (oldWatcher, oldScope) = (_watcher, _scope);
        Show(key, user);
        if (oldWatcher is not null)
        {
            await oldWatcher.DisposeAsync();
        }

        if (oldScope is not null)
        {
            await oldScope.DisposeAsync();
        }
    }

    private void Show(string key, ClaimsPrincipal? user)
    {
        (_problem, _cluster, _scope, _watcher) = (null, null, null, null);
        _names = [.. Clusters.Names.Where(n => user is null || ClusterRouting.MayUse(user, n))];
        if (key == OverviewKey)
        {
            return;
        }

        var cluster = Clusters.Find(key);
        if (cluster is null)
        {
            _problem = ("cluster-unknown", $"There is no cluster \"{key}\"; the clusters are: {string.Join(", ", _names)}.");
            return;
        }

        if (user is not null && !ClusterRouting.MayUse(user, cluster.Name))
        {
            _problem = ("cluster-refused",
                $"Signed in as {user.Identity?.Name}, who may use the clusters {string.Join(", ", _names)}, not {cluster.Name}: this page is not shown to you.");
            return;
        }

        _cluster = cluster;
        _scope = ClusterScope.For(cluster, Services);
        _watcher = new ClusterSnapshotWatcher(cluster.Services.GetRequiredService<IClusterSnapshotSource>(), () => InvokeAsync(StateHasChanged));
    }

    public async ValueTask DisposeAsync()
    {
        if (_watcher is not null)
        {
            await _watcher.DisposeAsync();
        }

        if (_scope is not null)
        {
            await _scope.DisposeAsync();
        }
    }
}
