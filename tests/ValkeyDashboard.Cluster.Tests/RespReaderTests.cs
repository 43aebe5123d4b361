using System.Text;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Cluster.Tests;

/// <summary>The raw RESP path for CLUSTER SLOT-STATS reads real replies exactly as the StackExchange.Redis path does.</summary>
public class RespReaderTests
{
    private static byte[] Raw(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Replies", name));

    [Theory]
    [InlineData("slot-stats.resp")]
    [InlineData("slot-stats-disabled.resp")]
    public void SlotStats_from_raw_bytes_equal_the_StackExchange_Redis_parse(string file)
    {
        var viaRedisResult = SlotStatsParser.Parse(CapturedReplies.Load(file));

        var viaBytes = SlotStatsParser.Parse(Raw(file));

        Assert.NotEmpty(viaBytes);
        Assert.Equal(viaRedisResult, viaBytes);
    }

    [Fact]
    public void An_error_reply_becomes_Valkeys_error_in_its_own_words()
    {
        var error = Encoding.ASCII.GetBytes("-ERR unknown subcommand 'SLOT-STATS'\r\n");

        var exception = Assert.Throws<ValkeyDashboard.Cluster.Connections.ValkeyErrorException>(() => SlotStatsParser.Parse(error));

        Assert.Equal("ERR unknown subcommand 'SLOT-STATS'", exception.ValkeyError);
    }

    [Fact]
    public void A_truncated_reply_is_refused_not_misread()
    {
        var raw = Raw("slot-stats.resp");

        Assert.Throws<ValkeyReplyException>(() => SlotStatsParser.Parse(raw.AsSpan(0, raw.Length / 2)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void The_scanner_finds_the_end_of_a_reply_that_arrives_in_pieces(int chunk)
    {
        var raw = Raw("slot-stats.resp");
        var scanner = new RespReplyScanner();
        var complete = -1;
        var received = 0;

        while (complete < 0)
        {
            Assert.True(received < raw.Length, "the scanner did not see the end of the reply");
            received = Math.Min(raw.Length, received + chunk);
            complete = scanner.TryComplete(raw.AsSpan(0, received));
        }

        Assert.Equal(raw.Length, complete);
        Assert.Equal(raw.Length, received);
    }

    [Theory]
    [InlineData("+OK\r\n")]
    [InlineData(":42\r\n")]
    [InlineData("$-1\r\n")]
    [InlineData("*0\r\n")]
    [InlineData("*2\r\n*1\r\n$3\r\nabc\r\n%1\r\n+k\r\n:1\r\n")]
    public void The_scanner_knows_every_reply_shape(string reply)
    {
        var bytes = Encoding.ASCII.GetBytes(reply + "+next\r\n");

        Assert.Equal(reply.Length, new RespReplyScanner().TryComplete(bytes));
        Assert.Equal(-1, new RespReplyScanner().TryComplete(bytes.AsSpan(0, reply.Length - 1)));
    }
}
