namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>What a client load must have seen while nodes failed over and restarted: nothing.</summary>
internal static class ClientLoadChecks
{
    /// <summary>
    /// Lets <paramref name="load"/> run 500 more commands, stops it and checks that no command failed: not on the
    /// server side (no refused or reset connection, no timeout, no error reply), and not client-side either
    /// (StackExchange.Redis refuses writes for a node it believes a replica: "Command cannot be issued to a replica",
    /// which a failover used to cause until clients were told of the new primary while the old one held their writes).
    /// </summary>
    public static async Task AssertNoCommandFailedAsync(ClientLoad load, TimeSpan deadline)
    {
        var target = load.Operations + 500;
        await ValkeyDashboard.Cluster.Concurrency.Wait.UntilAsync(
            _ => Task.FromResult(load.Operations >= target), deadline, "500 more client commands", TimeSpan.FromMilliseconds(10), cancellationToken: CancellationToken.None);
        await load.StopAsync();
        Assert.True(load.Failures.IsEmpty, $"{load.Failures.Count} client commands failed, e.g. {string.Join(" | ", load.Failures.Take(3))}");
    }
}
