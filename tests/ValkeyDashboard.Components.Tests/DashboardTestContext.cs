using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using ValkeyDashboard.Cluster.Monitoring;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// Shared set-up of every component test (MudBlazor's pattern): MudBlazor's services, loose JS interop for
/// MudBlazor's own JS, its providers rendered first, and a <see cref="FakeClusterSnapshotSource"/> as the
/// cluster the components see.
/// </summary>
public abstract class DashboardTestContext : BunitContext, IAsyncLifetime
{
    protected DashboardTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<IClusterSnapshotSource>(Snapshots);
        Render<MudPopoverProvider>();
    }

    protected FakeClusterSnapshotSource Snapshots { get; } = new();

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services are async-disposable only, so the container must be disposed asynchronously.
    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Snapshots.Dispose();
        }

        base.Dispose(disposing);
    }
}
