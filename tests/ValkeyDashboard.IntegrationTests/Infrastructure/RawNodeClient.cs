using System.Net.Sockets;
using System.Text;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// One plain connection to one node for commands that must share a connection, e.g. <c>ASKING</c> then <c>SET</c> to
/// write a key into a slot the node is importing (how a test puts a key on the target of a move by hand). A cluster
/// client cannot: it would follow the MOVED.
/// </summary>
internal sealed class RawNodeClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private RawNodeClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    public static async Task<RawNodeClient> ConnectAsync(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        return new RawNodeClient(tcp);
    }

    /// <summary>Sends one command and returns its simple reply line (<c>+OK</c>, <c>-ERR …</c>, <c>:1</c>).</summary>
    public async Task<string> SendAsync(params string[] args)
    {
        var command = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (var arg in args)
        {
            command.Append('$').Append(Encoding.UTF8.GetByteCount(arg)).Append("\r\n").Append(arg).Append("\r\n");
        }

        await _stream.WriteAsync(Encoding.UTF8.GetBytes(command.ToString()));
        return await _reader.ReadLineAsync() ?? throw new IOException("the node closed the connection");
    }

    /// <summary>Reads the next line of a reply (e.g. a bulk string's body after its <c>$n</c> header).</summary>
    public async Task<string?> ReadLineAsync() => await _reader.ReadLineAsync();

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
