using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using ValkeyDashboard.Api;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Hubs;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Security;

/// <summary>
/// No hub client can delay another: a client that asks for slot statistics and then stops reading fills only its own
/// queue and is dropped, while the others keep receiving at the monitor's pace; and one client may watch slot
/// statistics on a bounded number of connections.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public class SlowHubClientTests(SharedClusterFixture fixture)
{
    /// <summary>Each dashboard of these tests polls every 250 ms (DashboardAppFactory), so 15 s hold about 60 polls.</summary>
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_client_that_stops_reading_delays_no_one_else_and_is_dropped()
    {
        // The monitor keeps its 250 ms pace here even on a busy machine (it would stretch it), so the window holds its polls.
        await using var factory = DashboardAppFactory.External([fixture.Cluster.Host.Nodes[0].Endpoint]).With("Valkey:Monitor:MaxPollInterval", "00:00:00.250");
        factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var port = ListeningPort(factory);
        await using var reader = await WatchAsync(port);
        await reader.WaitForUpdatesAsync(2, TimeSpan.FromSeconds(30));
        var watchers = factory.Services.GetRequiredService<SlotStatisticsWatchers>();

        using var stalled = await StalledWatcher.ConnectAsync(port);
        await Wait.UntilAsync(_ => Task.FromResult(watchers.Count == 2), TimeSpan.FromSeconds(10), "the stalled client to watch slot statistics", TimeSpan.FromMilliseconds(20));
        var since = Stopwatch.GetTimestamp();
        var before = reader.Updates;

        // The reader keeps its pace (at least half the polls of the window) while the stalled client's buffers fill up.
        await Wait.UntilAsync(_ => Task.FromResult(reader.Updates - before >= 30), Window,
            "the reading client to get 30 slot-statistics updates while another client does not read", TimeSpan.FromMilliseconds(50));
        Assert.True(Stopwatch.GetElapsedTime(since) < Window);
        // The stalled client is dropped well before SignalR's own 30 s client timeout would have closed it.
        await Wait.UntilAsync(_ => Task.FromResult(watchers.Count == 1), TimeSpan.FromSeconds(25) - Stopwatch.GetElapsedTime(since),
            "the stalled client to be dropped", TimeSpan.FromMilliseconds(50));
        Assert.Equal(HubConnectionState.Connected, reader.State);
    }

    [Fact]
    public async Task One_client_may_watch_slot_statistics_on_a_bounded_number_of_connections()
    {
        await using var factory = DashboardAppFactory.External([fixture.Cluster.Host.Nodes[0].Endpoint]);
        factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var port = ListeningPort(factory);
        var allowed = new List<Watcher>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                allowed.Add(await WatchAsync(port));
            }

            var refused = await Assert.ThrowsAsync<HubException>(() => WatchAsync(port));

            Assert.Contains("429 Too many requests", refused.Message, StringComparison.Ordinal);
            Assert.Contains("at most Dashboard:RateLimit:SlotStatisticsWatchersPerClient", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var watcher in allowed)
            {
                await watcher.DisposeAsync();
            }
        }
    }

    private static int ListeningPort(DashboardAppFactory factory) =>
        new Uri(factory.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.Single()).Port;

    private static async Task<Watcher> WatchAsync(int port)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri($"http://127.0.0.1:{port}/hubs/cluster"), HttpTransportType.WebSockets)
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)))
            .Build();
        var watcher = new Watcher(connection);
        try
        {
            await connection.StartAsync();
            await connection.InvokeAsync<SlotsResponse>(nameof(ClusterHub.WatchSlotStatistics));
            return watcher;
        }
        catch
        {
            await watcher.DisposeAsync();
            throw;
        }
    }

    /// <summary>A hub client that reads everything it is sent and counts the slot-statistics updates.</summary>
    private sealed class Watcher : IAsyncDisposable
    {
        private readonly HubConnection _connection;
        private int _updates;

        public Watcher(HubConnection connection)
        {
            _connection = connection;
            connection.On<SlotsResponse>(nameof(IClusterClient.SlotStatisticsUpdated), _ => Interlocked.Increment(ref _updates));
        }

        public int Updates => Volatile.Read(ref _updates);

        public HubConnectionState State => _connection.State;

        public Task WaitForUpdatesAsync(int count, TimeSpan timeout) =>
            Wait.UntilAsync(_ => Task.FromResult(Updates >= count), timeout, $"{count} slot-statistics updates", TimeSpan.FromMilliseconds(20));

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }

    /// <summary>
    /// A hub client over a raw WebSocket with a tiny receive buffer: it shakes hands, asks for slot statistics and never
    /// reads again, as a client that hangs (or means harm) would.
    /// </summary>
    private sealed class StalledWatcher : IDisposable
    {
        private readonly Socket _socket;
        private readonly WebSocket _webSocket;

        private StalledWatcher(Socket socket, WebSocket webSocket)
        {
            _socket = socket;
            _webSocket = webSocket;
        }

        public static async Task<StalledWatcher> ConnectAsync(int port)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, port);
                var stream = new NetworkStream(socket, ownsSocket: false);
                var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
                await stream.WriteAsync(Encoding.ASCII.GetBytes(
                    $"GET /hubs/cluster HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                    $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"));
                var answer = await ReadHeadersAsync(stream);
                Assert.StartsWith("HTTP/1.1 101", answer, StringComparison.Ordinal);
                var webSocket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = Timeout.InfiniteTimeSpan });
                foreach (var message in new[]
                {
                    """{"protocol":"json","version":1}""",
                    """{"type":1,"invocationId":"1","target":"WatchSlotStatistics","arguments":[]}""",
                })
                {
                    await webSocket.SendAsync(Encoding.UTF8.GetBytes(message + "\u001e"), WebSocketMessageType.Text, true, CancellationToken.None);
                }

                return new StalledWatcher(socket, webSocket);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        private static async Task<string> ReadHeadersAsync(Stream stream)
        {
            var headers = new StringBuilder();
            var one = new byte[1];
            while (!headers.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one) == 1)
            {
                headers.Append((char)one[0]);
            }

            return headers.ToString();
        }

        public void Dispose()
        {
            _webSocket.Abort();
            _socket.Dispose();
        }
    }
}
