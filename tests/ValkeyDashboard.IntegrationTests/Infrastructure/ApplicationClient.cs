using StackExchange.Redis;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// A cluster client configured as an application would configure it: StackExchange.Redis's defaults (commands for a
/// node that is reconnecting wait in its backlog, MOVED is followed), only the password and the seeds given. Not the
/// dashboard's own configuration, which fails fast on purpose so its monitor shows a node down at once.
/// </summary>
internal static class ApplicationClient
{
    public static Task<ConnectionMultiplexer> ConnectAsync(string? password, params string[] endpoints)
    {
        var configuration = new ConfigurationOptions { AbortOnConnectFail = false, Password = password, ClientName = "test-application" };
        foreach (var endpoint in endpoints)
        {
            configuration.EndPoints.Add(endpoint);
        }

        return ConnectionMultiplexer.ConnectAsync(configuration);
    }
}
