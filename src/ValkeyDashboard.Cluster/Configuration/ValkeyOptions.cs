using System.ComponentModel.DataAnnotations;

namespace ValkeyDashboard.Cluster.Configuration;

/// <summary>Which cluster the dashboard manages. Values are part of the configuration contract.</summary>
public enum ValkeyMode
{
    /// <summary>The dashboard starts and owns a local cluster of real <c>valkey-server</c> processes.</summary>
    Embedded = 0,

    /// <summary>The dashboard connects to an existing cluster and starts nothing.</summary>
    External = 1,
}

/// <summary>The <c>Valkey</c> configuration section.</summary>
public sealed class ValkeyOptions
{
    public const string SectionName = "Valkey";

    /// <summary><c>Embedded</c> (default) or <c>External</c>.</summary>
    public ValkeyMode Mode { get; set; } = ValkeyMode.Embedded;

    /// <summary>The name the dashboard shows for the cluster; by default where it is (the embedded cluster's first port, or the first external endpoint).</summary>
    public string? ClusterName { get; set; }

    /// <summary><see cref="ClusterName"/>, or a name made from where the cluster is.</summary>
    public string DisplayName => !string.IsNullOrWhiteSpace(ClusterName) ? ClusterName
        : Mode == ValkeyMode.Embedded ? $"embedded cluster · 127.0.0.1:{Embedded.BasePort}"
        : External.Endpoints.Count > 0 ? $"cluster · {External.Endpoints[0]}" : "cluster";

    /// <summary>Folder holding <c>valkey-server</c> and <c>valkey-cli</c>; when unset the private copy under <c>.tools/valkey</c>, then PATH, are used.</summary>
    public string? BinaryDirectory { get; set; }

    /// <summary>ACL user for every connection (External mode; unset means the default user).</summary>
    public string? User { get; set; }

    /// <summary>Password for every connection. In Embedded mode it is also set on the nodes.</summary>
    public string? Password { get; set; }

    /// <summary>Connect with TLS (External mode).</summary>
    public bool Tls { get; set; }

    /// <summary>PEM file of the CA that signed the servers' certificates (TLS only; unset means the system store).</summary>
    public string? TlsCaFile { get; set; }

    /// <summary>
    /// A client certificate for nodes that require one (<c>tls-auth-clients yes</c>): a PEM certificate with
    /// <see cref="TlsClientKeyFile"/>, or a PKCS#12 (.pfx/.p12) file holding both.
    /// </summary>
    public string? TlsClientCertificateFile { get; set; }

    /// <summary>The PEM private key of <see cref="TlsClientCertificateFile"/> (not needed for a PKCS#12 file).</summary>
    public string? TlsClientKeyFile { get; set; }

    /// <summary>Loads the client certificate, or null when none is configured.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? LoadClientCertificate()
    {
        if (!Tls || string.IsNullOrEmpty(TlsClientCertificateFile))
        {
            return null;
        }

        if (!string.IsNullOrEmpty(TlsClientKeyFile))
        {
            using var pem = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(TlsClientCertificateFile, TlsClientKeyFile);
            // An ephemeral PEM key cannot be used for TLS on every platform: go through PKCS#12 once.
            return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(pem.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null);
        }

        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(TlsClientCertificateFile, null);
    }

    /// <summary>How often the monitor reads the cluster.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one command to one node may take before that node counts as not answering.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a removed node keeps running (forgotten by the others) before it is stopped or reset: clients whose
    /// slot map still names it get a MOVED from it in that time instead of a refused connection.
    /// </summary>
    public TimeSpan RemoveGracePeriod { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Most nodes the cluster may have for operators to add another (each embedded node is a process with its own
    /// ports and folder): an add or join beyond it is refused.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1000)]
    public int MaxNodes { get; set; } = 100;

    public EmbeddedClusterOptions Embedded { get; set; } = new();

    public MonitorOptions Monitor { get; set; } = new();

    public ExternalClusterOptions External { get; set; } = new();
}

/// <summary>The <c>Valkey:Embedded</c> section: the local cluster the dashboard hosts.</summary>
public sealed class EmbeddedClusterOptions
{
    [Range(1, 100)]
    public int Primaries { get; set; } = 3;

    [Range(0, 10)]
    public int ReplicasPerPrimary { get; set; } = 1;

    /// <summary>First client port; node n uses BasePort + n and BasePort + n + 10000 for the cluster bus.</summary>
    [Range(1024, 55535)]
    public int BasePort { get; set; } = 7000;

    /// <summary>
    /// Where node data, configs and logs live: <c>cluster</c> in <c>Dashboard:DataDirectory</c> unless set; a relative path
    /// is from the content root. Absolute once the options are resolved.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>How long forming or restarting the cluster may take.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary><c>cluster-node-timeout</c> in milliseconds: how soon the cluster marks a silent node failed.</summary>
    [Range(500, 60000)]
    public int NodeTimeoutMilliseconds { get; set; } = 3000;

    /// <summary>
    /// A primary that was failed over is restarted once it has answered no client with MOVED for this long: clients
    /// whose slot map still names it are redirected by it meanwhile instead of finding a refused connection.
    /// </summary>
    public TimeSpan FailoverGracePeriod { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>The <c>Valkey:Monitor</c> section: how the monitor reads servers that lack <c>CLUSTER SLOT-STATS</c>, and how it keeps up with large clusters.</summary>
public sealed class MonitorOptions
{
    /// <summary>
    /// How often the per-slot key counts of a primary without <c>CLUSTER SLOT-STATS</c> (Redis, Valkey 7.2) are swept
    /// with <c>CLUSTER COUNTKEYSINSLOT</c>, one command per slot it owns; between sweeps the last counts are shown. A
    /// primary whose slots changed is swept at its next poll.
    /// </summary>
    public TimeSpan KeyCountSweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Commands a sweep pipelines at a time to one primary (the next batch goes when these have answered).</summary>
    public int KeyCountBatchSize { get; set; } = 1000;

    /// <summary>
    /// Most nodes a poll reads at once (INFO, per-slot figures, settings): a cluster of hundreds of nodes is read in
    /// waves of this many instead of all at once, so one poll does not open hundreds of requests together.
    /// </summary>
    public int MaxConcurrentNodeRequests { get; set; } = 32;

    /// <summary>
    /// The longest interval the monitor stretches its cadence to when polls take longer than <c>Valkey:PollInterval</c>
    /// allows (see <see cref="Model.MonitorCadence"/>).
    /// </summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>The <c>Valkey:External</c> section: seeds of an existing cluster.</summary>
public sealed class ExternalClusterOptions
{
    /// <summary>One or more <c>host:port</c> of the cluster's nodes; the rest are discovered.</summary>
    public List<string> Endpoints { get; set; } = [];
}
