namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>What a client load may have seen while nodes failed over and restarted.</summary>
internal static class ClientLoadChecks
{
    /// <summary>StackExchange.Redis's client-side refusal to write to a node it has seen turn into a replica.</summary>
    public const string ReplicaRefusal = "Command cannot be issued to a replica";

    /// <summary>
    /// Stops <paramref name="load"/> after it has run clean again and checks what failed: no command failed on the
    /// server side (no refused or reset connection, no timeout, no error reply). What may remain is StackExchange.Redis
    /// refusing, client-side, writes for a node it saw become a replica before it learned the new primary (its issues
    /// 2181 and 2890): counted in the message, not hidden, and they must have stopped — the next 500 commands succeed.
    /// </summary>
    public static async Task AssertOnlyClientSideRefusalsAndRecoveredAsync(ClientLoad load, TimeSpan deadline)
    {
        await ValkeyDashboard.Cluster.Concurrency.Wait.UntilAsync(
            async _ =>
            {
                var failures = load.Failures.Count;
                var target = load.Operations + 500;
                await ValkeyDashboard.Cluster.Concurrency.Wait.UntilAsync(
                    _ => Task.FromResult(load.Operations >= target), deadline, "500 more client commands", TimeSpan.FromMilliseconds(10), cancellationToken: CancellationToken.None);
                return load.Failures.Count == failures;
            },
            deadline, "500 client commands in a row without a failure", TimeSpan.FromMilliseconds(10));
        await load.StopAsync();

        var serverSide = load.Failures.Where(f => !f.Contains(ReplicaRefusal, StringComparison.Ordinal)).ToList();
        Assert.True(serverSide.Count == 0, $"{serverSide.Count} client commands failed, e.g. {string.Join(" | ", serverSide.Take(3))}");
    }
}
