using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ValkeyDashboard.Cluster.Hosting;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// A real 3-primary Valkey cluster that speaks only TLS (clients and cluster bus), requires a password and a client
/// certificate (<c>tls-auth-clients yes</c>), with its own CA: what an External-mode dashboard meets in production.
/// The embedded host does not do TLS, so this starts and forms the nodes itself; disposing stops them.
/// </summary>
public sealed class TlsCluster : IAsyncDisposable
{
    public const string Password = "tls-test-password";

    private readonly List<Process> _processes = [];

    private TlsCluster(string directory, int basePort)
    {
        Directory = directory;
        Ports = [basePort, basePort + 1, basePort + 2];
    }

    public string Directory { get; }

    public IReadOnlyList<int> Ports { get; }

    public IReadOnlyList<string> Endpoints => [.. Ports.Select(p => $"127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)}")];

    public string CaFile => Path.Combine(Directory, "ca.crt");

    public string ClientCertificateFile => Path.Combine(Directory, "client.crt");

    public string ClientKeyFile => Path.Combine(Directory, "client.key");

    public static async Task<TlsCluster> StartAsync()
    {
        var installation = ValkeyInstallation.Locate(null);
        var cluster = new TlsCluster(TestDirectories.Create("tls-cluster"), TestPorts.AllocateBlock(3));
        try
        {
            cluster.WriteCertificates();
            foreach (var port in cluster.Ports)
            {
                cluster.StartNode(installation.ServerPath, port);
            }

            foreach (var port in cluster.Ports)
            {
                await Cluster.Concurrency.Wait.UntilAsync(
                    async _ =>
                    {
                        try
                        {
                            return (await cluster.RunCliAsync(installation.CliPath, ["-p", port.ToString(CultureInfo.InvariantCulture), "PING"])).Contains("PONG", StringComparison.Ordinal);
                        }
                        catch (InvalidOperationException)
                        {
                            return false;
                        }
                    },
                    TimeSpan.FromSeconds(30), $"the TLS node on {port} to answer", TimeSpan.FromMilliseconds(100));
            }

            await cluster.RunCliAsync(installation.CliPath, ["--cluster", "create", .. cluster.Endpoints, "--cluster-yes"]);
            await Cluster.Concurrency.Wait.UntilAsync(
                async _ => (await cluster.RunCliAsync(installation.CliPath, ["-p", cluster.Ports[0].ToString(CultureInfo.InvariantCulture), "CLUSTER", "INFO"]))
                    .Contains("cluster_state:ok", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60), "the TLS cluster to be ok", TimeSpan.FromMilliseconds(200));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }

        TestDirectories.Delete(Directory);
    }

    private void StartNode(string serverPath, int port)
    {
        var nodeDirectory = Path.Combine(Directory, $"node-{port}");
        System.IO.Directory.CreateDirectory(nodeDirectory);
        var start = new ProcessStartInfo(serverPath) { WorkingDirectory = nodeDirectory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--port", "0", "--tls-port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--tls-cert-file", Path.Combine(Directory, "server.crt"), "--tls-key-file", Path.Combine(Directory, "server.key"),
            "--tls-ca-cert-file", CaFile, "--tls-auth-clients", "yes", "--tls-cluster", "yes", "--tls-replication", "yes",
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000",
            "--cluster-slot-stats-enabled", "yes", "--requirepass", Password, "--primaryauth", Password,
            "--dir", nodeDirectory, "--logfile", "valkey.log", "--save", string.Empty, "--appendonly", "no",
        })
        {
            start.ArgumentList.Add(argument);
        }

        _processes.Add(Process.Start(start) ?? throw new InvalidOperationException($"valkey-server on {port} did not start"));
    }

    /// <summary>valkey-cli over TLS with the client certificate; the password through the environment.</summary>
    private async Task<string> RunCliAsync(string cliPath, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(cliPath) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--tls", "--cacert", CaFile, "--cert", ClientCertificateFile, "--key", ClientKeyFile, "-h", "127.0.0.1" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["VALKEYCLI_AUTH"] = Password;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"valkey-cli {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
        }

        return await output;
    }

    /// <summary>A CA, a server certificate for 127.0.0.1 (also used by the nodes to talk to each other) and a client certificate, as PEM files.</summary>
    private void WriteCertificates()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=ValkeyDashboard test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(CaFile, ca.ExportCertificatePem());

        Issue("server", "CN=127.0.0.1", serverAuth: true);
        Issue("client", "CN=valkey-dashboard", serverAuth: false);

        void Issue(string name, string subject, bool serverAuth)
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var usages = new OidCollection { new Oid("1.3.6.1.5.5.7.3.2") }; // client authentication
            if (serverAuth)
            {
                usages.Add(new Oid("1.3.6.1.5.5.7.3.1"));
                var names = new SubjectAlternativeNameBuilder();
                names.AddIpAddress(IPAddress.Loopback);
                names.AddDnsName("localhost");
                request.CertificateExtensions.Add(names.Build());
            }

            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
            using var certificate = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), RandomNumberGenerator.GetBytes(16));
            File.WriteAllText(Path.Combine(Directory, $"{name}.crt"), certificate.ExportCertificatePem());
            File.WriteAllText(Path.Combine(Directory, $"{name}.key"), key.ExportPkcs8PrivateKeyPem());
        }
    }
}
