using System.Net;
using ValkeyDashboard.Cluster.Hosting;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>Test assemblies that run at the same time never share ports, and a block handed out is free and in range.</summary>
public class TestPortsTests
{
    [Fact]
    public void The_test_assemblies_port_ranges_do_not_overlap_even_with_their_bus_ports()
    {
        var ports = TestPorts.Ranges.ToDictionary(r => r.Key, r => Enumerable.Range(r.Value.First, r.Value.Last - r.Value.First + 1)
            .SelectMany(p => new[] { p, p + TestPorts.BusOffset }).ToHashSet());

        foreach (var (name, used) in ports)
        {
            foreach (var (other, otherUsed) in ports.Where(o => o.Key != name))
            {
                Assert.False(used.Overlaps(otherUsed), $"{name} and {other} share ports");
            }
        }
    }

    [Fact]
    public void Every_range_and_its_bus_ports_stay_below_the_ephemeral_ports()
    {
        Assert.All(TestPorts.Ranges, r =>
        {
            Assert.InRange(r.Value.First, 1024, r.Value.Last);
            Assert.True(r.Value.Last + TestPorts.BusOffset < TestPorts.FirstEphemeralPort, $"{r.Key}: bus port {r.Value.Last + TestPorts.BusOffset}");
        });
    }

    [Fact]
    public void A_block_lies_in_this_assemblys_range_and_is_free_with_its_bus_ports()
    {
        var start = TestPorts.AllocateBlock(3);

        Assert.InRange(start, TestPorts.Range.First, TestPorts.Range.Last - 2);
        Assert.Equal(TestPorts.Ranges["ValkeyDashboard.IntegrationTests"], TestPorts.Range);
        Assert.All(Enumerable.Range(start, 3), p =>
        {
            Assert.True(PortProbe.IsFree(IPAddress.Loopback, p), $"port {p}");
            Assert.True(PortProbe.IsFree(IPAddress.Loopback, p + TestPorts.BusOffset), $"bus port {p + TestPorts.BusOffset}");
        });
    }

    [Fact]
    public void Two_blocks_never_share_a_port()
    {
        var first = TestPorts.AllocateBlock(4);
        var second = TestPorts.AllocateBlock(4);

        Assert.True(second >= first + 4 || second + 4 <= first, $"blocks {first}+4 and {second}+4 overlap");
    }
}
