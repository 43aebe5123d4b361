using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Security;

namespace ValkeyDashboard.Api;

/// <summary>
/// The requests that wait for a migration or plan to finish (<c>?wait=N</c>), per client: each holds a subscription
/// for up to minutes, so one client may have at most <see cref="RateLimitOptions.WaitsPerClient"/> open at once.
/// </summary>
public sealed class OpenWaits(IOptions<DashboardOptions> options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>How many waits <paramref name="client"/> has open.</summary>
    public int OpenFor(string client)
    {
        lock (_gate)
        {
            return _open.GetValueOrDefault(client);
        }
    }

    /// <summary>Takes one of the client's waits until disposed, or refuses (too many) when it has them all open.</summary>
    public IDisposable Enter(HttpContext context)
    {
        var client = ClientIdentity.Of(context);
        var limit = options.Value.RateLimit.WaitsPerClient;
        lock (_gate)
        {
            var open = _open.GetValueOrDefault(client);
            if (open >= limit)
            {
                throw RequestRefusedException.TooMany(
                    $"{client} already has {open} requests waiting (?wait=N), at most Dashboard:RateLimit:WaitsPerClient ({limit}); " +
                    "wait for one to end or ask without wait");
            }

            _open[client] = open + 1;
        }

        return new Release(this, client);
    }

    private void Leave(string client)
    {
        lock (_gate)
        {
            if (_open.GetValueOrDefault(client) <= 1)
            {
                _open.Remove(client);
            }
            else
            {
                _open[client]--;
            }
        }
    }

    private sealed class Release(OpenWaits waits, string client) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                waits.Leave(client);
            }
        }
    }
}
