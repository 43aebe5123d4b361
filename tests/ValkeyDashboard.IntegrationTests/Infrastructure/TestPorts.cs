using System.Net;
using ValkeyDashboard.Cluster.Hosting;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// Hands out blocks of consecutive free ports for test clusters from this assembly's own range, never
/// the well-known 6379/7000. Client ports 16000-17999 and their cluster-bus ports (+10000) stay below
/// Linux's ephemeral range (32768+), so outgoing connections cannot take them between check and use.
/// </summary>
internal static class TestPorts
{
    private const int First = 16000;
    private const int Last = 17999;
    private static readonly Lock Gate = new();
    private static int _next = First;

    /// <summary>The first of <paramref name="count"/> consecutive ports that are free together with their bus ports.</summary>
    public static int AllocateBlock(int count)
    {
        lock (Gate)
        {
            while (_next + count - 1 <= Last)
            {
                var start = _next;
                _next += count;
                if (Enumerable.Range(start, count).All(p => PortProbe.IsFree(IPAddress.Loopback, p) && PortProbe.IsFree(IPAddress.Loopback, p + 10000)))
                {
                    return start;
                }
            }

            throw new InvalidOperationException($"no block of {count} free ports left in {First}-{Last}");
        }
    }
}
