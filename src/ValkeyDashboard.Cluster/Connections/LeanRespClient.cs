using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Cluster.Connections;

/// <summary>
/// A lean connection per node for replies too big to go through StackExchange.Redis: <c>CLUSTER SLOT-STATS</c> for all
/// 16,384 slots is about 1.7 MB of RESP with 160,000 elements, which cost 75 ms of CPU per poll as an object per
/// element, most of the dashboard's CPU at one poll a second. Here a reply is read into one pooled buffer and parsed in
/// place by the caller's parser (8.6 ms for three primaries). Same user, password and TLS settings as
/// <see cref="ValkeyConnection"/>. Only <see cref="ValkeyAdminClient"/> sends commands over it.
/// </summary>
internal sealed class LeanRespClient(ValkeyOptions options) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, NodeChannel> _channels = new(StringComparer.OrdinalIgnoreCase);
    private bool _disposed;

    /// <summary>Sends <paramref name="command"/> (see <see cref="Command"/>) to <paramref name="endpoint"/> and parses the reply in place.</summary>
    public async Task<T> ExecuteAsync<T>(string endpoint, byte[] command, Func<ReadOnlyMemory<byte>, T> parse, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var channel = _channels.GetOrAdd(endpoint, e => new NodeChannel(e, options));
        return await channel.ExecuteAsync(command, parse, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var channel in _channels.Values)
        {
            await channel.DisposeAsync();
        }

        _channels.Clear();
    }

    /// <summary>A RESP2 command as bytes.</summary>
    internal static byte[] Command(params string[] parts)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"*{parts.Length}\r\n");
        foreach (var part in parts)
        {
            text.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>One node's connection: one command at a time, reconnected on the next command after any failure.</summary>
    private sealed class NodeChannel(string endpoint, ValkeyOptions options) : IAsyncDisposable
    {
        private const int InitialBuffer = 64 * 1024;
        private const int MaxReply = 64 * 1024 * 1024;

        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly RespReplyScanner _scanner = new();
        private Socket? _socket;
        private Stream? _stream;

        public async Task<T> ExecuteAsync<T>(byte[] command, Func<ReadOnlyMemory<byte>, T> parse, CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.CommandTimeout);
            try
            {
                var stream = _stream ?? await ConnectAsync(timeout.Token);
                await stream.WriteAsync(command, timeout.Token);
                return await ReadReplyAsync(stream, parse, timeout.Token);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or AuthenticationException or ValkeyReplyException)
            {
                // A half-read reply leaves the connection unusable: start afresh next time.
                Close();
                if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"{endpoint} did not answer within {options.CommandTimeout.TotalSeconds:0.#} s");
                }

                throw;
            }
            finally
            {
                _gate.Release();
            }
        }

        private async Task<T> ReadReplyAsync<T>(Stream stream, Func<ReadOnlyMemory<byte>, T> parse, CancellationToken cancellationToken)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
            try
            {
                _scanner.Reset();
                var length = 0;
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        if (buffer.Length >= MaxReply)
                        {
                            throw new ValkeyReplyException($"{endpoint} sent a reply of more than {MaxReply / (1024 * 1024)} MB");
                        }

                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
                    if (read == 0)
                    {
                        throw new IOException($"{endpoint} closed the connection");
                    }

                    length += read;
                    var complete = _scanner.TryComplete(buffer.AsSpan(0, length));
                    if (complete >= 0)
                    {
                        return parse(buffer.AsMemory(0, complete));
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private async Task<Stream> ConnectAsync(CancellationToken cancellationToken)
        {
            var split = endpoint.LastIndexOf(':');
            var host = endpoint[..split].Trim('[', ']');
            var port = int.Parse(endpoint[(split + 1)..], CultureInfo.InvariantCulture);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            Stream stream;
            try
            {
                await socket.ConnectAsync(host, port, cancellationToken);
                stream = new NetworkStream(socket, ownsSocket: true);
                if (options.Tls)
                {
                    var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                    var clientCertificate = options.LoadClientCertificate();
                    await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                    {
                        TargetHost = host,
                        RemoteCertificateValidationCallback = ValidateCertificate,
                        ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                    }, cancellationToken);
                    stream = tls;
                }
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            _socket = socket;
            _stream = stream;
            if (!string.IsNullOrEmpty(options.Password))
            {
                var auth = string.IsNullOrEmpty(options.User) ? Command("AUTH", options.Password) : Command("AUTH", options.User, options.Password);
                await stream.WriteAsync(auth, cancellationToken);
                // The error text names neither the user's password nor the command, only what Valkey answered.
                await ReadReplyAsync(stream, reply => { new RespReader(reply.Span).ThrowIfError("AUTH"); return true; }, cancellationToken);
            }

            await stream.WriteAsync(Command("CLIENT", "SETNAME", "valkey-dashboard-lean"), cancellationToken);
            await ReadReplyAsync(stream, reply => { new RespReader(reply.Span).ThrowIfError("CLIENT SETNAME"); return true; }, cancellationToken);
            return stream;
        }

        /// <summary>As <see cref="ValkeyConnection"/> does: the system's trust, or the configured CA as the only root.</summary>
        private bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (string.IsNullOrEmpty(options.TlsCaFile) || certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            {
                return false;
            }

            using var ca = X509CertificateLoader.LoadCertificateFromFile(options.TlsCaFile);
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.Add(ca);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return custom.Build(new X509Certificate2(certificate));
        }

        private void Close()
        {
            _stream?.Dispose();
            _socket?.Dispose();
            _stream = null;
            _socket = null;
        }

        public async ValueTask DisposeAsync()
        {
            await _gate.WaitAsync();
            try
            {
                Close();
            }
            finally
            {
                _gate.Release();
                _gate.Dispose();
            }
        }
    }
}
