using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;

namespace ValkeyDashboard.Components.Layout;

public partial class MainLayout
{
    private ClusterSnapshotWatcher? _watcher;
    private bool _isDarkMode;

    [Inject]
    public required IClusterSnapshotSource Monitor { get; init; }

    [Inject]
    public required IOptions<ValkeyOptions> Options { get; init; }

    /// <summary>Who is signed in, for a browser signed in with the sign-in cookie (it can sign out); null with sign-in off.</summary>
    private string? _signedInAs;

    [CascadingParameter]
    public Task<AuthenticationState>? AuthenticationState { get; set; }

    private ClusterSnapshot Snapshot => _watcher?.Snapshot ?? Monitor.Current;

    protected override async Task OnParametersSetAsync()
    {
        var user = AuthenticationState is null ? null : (await AuthenticationState).User;
        _signedInAs = user?.Identity is { IsAuthenticated: true, AuthenticationType: CookieAuthenticationDefaults.AuthenticationScheme } identity
            ? identity.Name ?? "signed in"
            : null;
    }

    protected override void OnInitialized() => _watcher = new ClusterSnapshotWatcher(Monitor, () => InvokeAsync(StateHasChanged));

    public async ValueTask DisposeAsync()
    {
        if (_watcher is not null)
        {
            await _watcher.DisposeAsync();
        }
    }
}
