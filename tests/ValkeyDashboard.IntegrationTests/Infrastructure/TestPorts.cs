using System.Net;
using ValkeyDashboard.Cluster.Hosting;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// Hands out blocks of consecutive free ports for test clusters, never the well-known 6379/7000. This file is compiled
/// into every test assembly that starts Valkey nodes, and each of them takes ports only from its own range in
/// <see cref="Ranges"/>, so two test projects run at the same time (one <c>dotnet test</c> of the solution) never probe or
/// bind the same ports. valkey-server binds the ports itself, so the "free" check and the bind cannot be one step;
/// what keeps that gap safe is the range: no other test assembly uses it, blocks are never handed out twice in a run,
/// and with their cluster-bus ports (+10000) the ranges lie below Linux's ephemeral ports (32768+), which outgoing
/// connections take. A listener the tests open themselves (Kestrel) binds port 0 and reads back the port it got.
/// </summary>
internal static class TestPorts
{
    /// <summary>Cluster-bus port = client port + this (Valkey's rule).</summary>
    public const int BusOffset = 10000;

    /// <summary>The first port Linux hands out to outgoing connections (net.ipv4.ip_local_port_range).</summary>
    public const int FirstEphemeralPort = 32768;

    /// <summary>Each test assembly's client ports (its cluster-bus ports are these + <see cref="BusOffset"/>).</summary>
    public static readonly IReadOnlyDictionary<string, (int First, int Last)> Ranges = new Dictionary<string, (int, int)>(StringComparer.Ordinal)
    {
        ["ValkeyDashboard.IntegrationTests"] = (16000, 18999),
        ["ValkeyDashboard.BrowserTests"] = (19000, 21999),
    };

    private static readonly Lock Gate = new();
    private static int _next = Range.First;

    /// <summary>This assembly's range.</summary>
    public static (int First, int Last) Range =>
        Ranges.TryGetValue(typeof(TestPorts).Assembly.GetName().Name!, out var range)
            ? range
            : throw new InvalidOperationException($"{typeof(TestPorts).Assembly.GetName().Name} has no port range in TestPorts.Ranges");

    /// <summary>The first of <paramref name="count"/> consecutive ports that are free together with their bus ports.</summary>
    public static int AllocateBlock(int count)
    {
        lock (Gate)
        {
            while (_next + count - 1 <= Range.Last)
            {
                var start = _next;
                _next += count;
                if (Enumerable.Range(start, count).All(p => PortProbe.IsFree(IPAddress.Loopback, p) && PortProbe.IsFree(IPAddress.Loopback, p + BusOffset)))
                {
                    return start;
                }
            }

            throw new InvalidOperationException($"no block of {count} free ports left in {Range.First}-{Range.Last}");
        }
    }
}
