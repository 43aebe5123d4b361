using System.Globalization;
using ValkeyDashboard.Cluster.Audit;

namespace ValkeyDashboard.Authentication;

/// <summary>
/// Refused sign-ins, counted per client address and <see cref="Window"/>: one audit row (and one warning) per client
/// per window, whose detail carries the count so far, instead of one per try. With the sign-in rate limit in front,
/// someone who can reach the port cannot grow the audit table or the log faster than that.
/// </summary>
public sealed class SignInRefusals(AuditLog audit, TimeProvider time, ILogger<SignInRefusals> logger)
{
    /// <summary>How long one client's refusals share a row (the sign-in rate limit's window too).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Past this many clients tracked at once, windows that ended are forgotten.</summary>
    private const int MaxTracked = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Tally> _tallies = new(StringComparer.Ordinal);

    /// <summary>Counts a refused sign-in of <paramref name="client"/> (<paramref name="reason"/>), and audits it as above.</summary>
    public async Task RefusedAsync(string client, string reason)
    {
        var now = time.GetUtcNow();
        Tally tally;
        bool first;
        int count;
        lock (_gate)
        {
            if (_tallies.Count >= MaxTracked)
            {
                foreach (var ended in _tallies.Where(t => now - t.Value.Since >= Window).Select(t => t.Key).ToList())
                {
                    _tallies.Remove(ended);
                }
            }

            first = !_tallies.TryGetValue(client, out tally!) || now - tally.Since >= Window;
            if (first)
            {
                tally = new Tally(now);
                _tallies[client] = tally;
            }

            count = ++tally.Count;
        }

        var detail = $"{reason}; {count} refused sign-in{(count == 1 ? string.Empty : "s")} from {client} since {tally.Since.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} UTC";
        if (first)
        {
            logger.LogWarning("Refused a browser sign-in from {Remote}: {Reason} (further refusals from it this minute are counted, not logged)", client, reason);
            var entry = await audit.RecordAsync("browser", AuditActions.SignIn, $"from {client}", AuditOutcome.Refused, detail);
            lock (_gate)
            {
                tally.EntryId = entry?.Id;
            }
        }
        else if (tally.EntryId is { } id && (count <= 20 || int.IsPow2(count)))
        {
            // Past 20 in a window (only possible with a high rate limit), the row is brought up to date at powers of two.
            await audit.ReviseDetailAsync(id, detail);
        }
    }

    private sealed class Tally(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; } = since;

        public int Count { get; set; }

        public long? EntryId { get; set; }
    }
}
