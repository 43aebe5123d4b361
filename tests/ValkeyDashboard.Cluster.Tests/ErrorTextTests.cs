using ValkeyDashboard.Cluster.Text;

namespace ValkeyDashboard.Cluster.Tests;

public class ErrorTextTests
{
    [Fact]
    public void StackExchange_Redis_diagnostics_are_cut_after_the_endpoint()
    {
        const string message = "No connection is active/available to service this operation: CLUSTER; SocketClosed (ReadEndOfStream, last-recv: 0) on 127.0.0.1:16025/Subscription, Idle/MarkProcessed, last: SUBSCRIBE, origin: ReadFromPipe, outstanding: 0";

        Assert.Equal("No connection is active/available to service this operation: CLUSTER; SocketClosed (ReadEndOfStream, last-recv: 0) on 127.0.0.1:16025", ErrorText.Brief(message));
    }

    [Fact]
    public void Short_messages_stay_as_they_are_and_long_ones_are_capped()
    {
        Assert.Equal("ERR Slots are not served by this node.", ErrorText.Brief("ERR Slots are not served by this node."));
        Assert.Equal(240, ErrorText.Brief(new string('x', 1000)).Length);
    }
}
