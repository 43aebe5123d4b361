using StackExchange.Redis;
using ValkeyDashboard.Cluster.Connections;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// Holds a source's atomic migrations before their final pause (<c>DEBUG SLOTMIGRATION PREVENT-PAUSE 1</c>,
/// allowed by the embedded nodes' <c>enable-debug-command local</c>) until disposed, so a test can act while one
/// is surely running. Disposing always releases the hold, also when the test fails.
/// </summary>
internal sealed class MigrationHold : IAsyncDisposable
{
    private readonly Func<int, Task> _set;
    private bool _released;

    private MigrationHold(Func<int, Task> set) => _set = set;

    public static Task<MigrationHold> OnAsync(ValkeyConnection connection, string sourceEndpoint) =>
        StartAsync(flag => connection.ExecuteAsync(sourceEndpoint, "DEBUG", "SLOTMIGRATION", "PREVENT-PAUSE", flag));

    public static Task<MigrationHold> OnAsync(IServer source) =>
        StartAsync(flag => source.ExecuteAsync("DEBUG", "SLOTMIGRATION", "PREVENT-PAUSE", flag));

    /// <summary>Lets the held migrations finish (also done on dispose).</summary>
    public async Task ReleaseAsync()
    {
        if (!_released)
        {
            _released = true;
            await _set(0);
        }
    }

    /// <summary>The node that held the migrations is gone (killed): there is nothing left to release.</summary>
    public void Abandon() => _released = true;

    public async ValueTask DisposeAsync() => await ReleaseAsync();

    private static async Task<MigrationHold> StartAsync(Func<int, Task> set)
    {
        await set(1);
        return new MigrationHold(set);
    }
}
