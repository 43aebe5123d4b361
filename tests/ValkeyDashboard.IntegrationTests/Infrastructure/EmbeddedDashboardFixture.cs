namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// A dashboard with an embedded cluster of its own and an HTTP client of it, for one test class or collection: started
/// with the fixture (creating the client starts the host, so the cluster is formed before the first test) and stopped,
/// cluster and all, with it.
/// </summary>
public abstract class EmbeddedDashboardFixture(DashboardAppFactory factory) : IAsyncLifetime
{
    public DashboardAppFactory Factory { get; } = factory;

    public HttpClient Client { get; private set; } = null!;

    public virtual Task InitializeAsync()
    {
        Client = Factory.CreateClient();
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync()
    {
        Client?.Dispose();
        await Factory.DisposeAsync();
    }
}
