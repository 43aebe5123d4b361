using System.Collections.Concurrent;
using StackExchange.Redis;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>Writers that each own a share of the keys, write increasing values and read back what they wrote.</summary>
public sealed class ClientLoad : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _writers;
    private long _operations;
    private long _staleReads;

    public ClientLoad(IDatabase db, string[] keys, int writers)
    {
        _writers = [.. Enumerable.Range(0, writers).Select(w => Task.Run(() => RunAsync(db, keys.Where((_, i) => i % writers == w).ToArray())))];
    }

    public ConcurrentDictionary<string, long> LastWritten { get; } = new();

    public ConcurrentQueue<string> Failures { get; } = new();

    public long Operations => Interlocked.Read(ref _operations);

    public long StaleReads => Interlocked.Read(ref _staleReads);

    public async Task WaitForOperationsAsync(long count, TimeSpan timeout) =>
        await ValkeyDashboard.Cluster.Concurrency.Wait.UntilAsync(_ => Task.FromResult(Operations >= count || !Failures.IsEmpty), timeout, $"{count} client operations", TimeSpan.FromMilliseconds(20));

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_writers);
    }

    public void Dispose() => _stop.Dispose();

    private async Task RunAsync(IDatabase db, string[] keys)
    {
        var counter = 0L;
        var random = new Random(keys.Length);
        while (!_stop.IsCancellationRequested)
        {
            var key = keys[random.Next(keys.Length)];
            try
            {
                var value = ++counter;
                await db.StringSetAsync(key, value);
                LastWritten[key] = value;
                var read = keys[random.Next(keys.Length)];
                var got = await db.StringGetAsync(read);
                if (LastWritten.TryGetValue(read, out var expected) && (long)got != expected)
                {
                    Interlocked.Increment(ref _staleReads);
                }

                Interlocked.Add(ref _operations, 2);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Failures.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {key}: {ex.Message}{(ex.InnerException is { } inner ? $" ({inner.GetType().Name}: {inner.Message})" : string.Empty)}");

                // As an application's retry would: a client that fails at once must not spin and starve the thread pool
                // (and the client library's own reconnection and topology reload with it).
                await Task.Delay(10);
            }
        }
    }
}
