using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Container;

/// <summary>
/// The Docker image's conditions without a Docker engine, once per test class: docker/Dockerfile replayed
/// (<see cref="ImageReplay"/>: the build stage restores and publishes from a copy of the build context, the runtime stage
/// lays the app out root-owned), then its ENTRYPOINT started as the image's USER (uid 1654, no groups) with exactly the
/// image's environment (base image's and the Dockerfile's ENV lines, nothing of this process's), its VOLUME as the only
/// folder it owns, in External mode against a real cluster on loopback, as docker/compose.yaml runs it. Stand-ins: the
/// container's paths are folders under a scratch folder (absolute paths in ENV are mapped there) and its EXPOSEd port is
/// published on a free port (the port setting's value 8080 becomes 0, and the port comes from "Now listening on").
/// </summary>
public sealed partial class ContainerImageFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    public ImageReplay Image { get; private set; } = null!;

    public CliCluster Cluster { get; private set; } = null!;

    public ConsoleDashboard Dashboard { get; private set; } = null!;

    /// <summary>The dashboard as a client outside the container reaches it.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>An operator token given to the container as compose gives it (<c>Dashboard__Auth__Tokens__0__…</c>).</summary>
    public string Token { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    /// <summary>What the dashboard printed on "Now listening on:" (the container's own address).</summary>
    public string ListeningAddress { get; private set; } = string.Empty;

    /// <summary>The sign-in link it printed.</summary>
    public string SignInLink { get; private set; } = string.Empty;

    /// <summary>The environment the process was started with (mapped as described above).</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; private set; } = new Dictionary<string, string?>();

    /// <summary>The data volume (the image's VOLUME) on this machine.</summary>
    public string DataVolume { get; private set; } = string.Empty;

    /// <summary>Every path of the image outside the data volume before the start (to show it wrote nowhere else).</summary>
    public IReadOnlySet<string> ImageFilesBeforeStart { get; private set; } = new HashSet<string>();

    public int UserId { get; private set; }

    private string _work = string.Empty;

    public async Task InitializeAsync()
    {
        if (global::ValkeyDashboard.Cluster.Storage.UnixFileStatus.CurrentUserId != 0)
        {
            throw new InvalidOperationException("The container test runs the dashboard as the image's user (uid 1654) through setpriv, which needs root: run the tests as root, as CI does.");
        }

        try
        {
            _work = TestDirectories.Create("container");
            // The stand-ins are read by uid 1654 through this folder: open the way down to it (Docker's own folders are 0755).
            foreach (var folder in new[] { Path.GetDirectoryName(_work)!, _work })
            {
                File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
            }

            var repository = TestDirectories.RepositoryRoot();
            Image = await ImageReplay.BuildAsync(repository, Path.Combine(repository, "docker", "Dockerfile"), _work, new Dictionary<string, string?>
            {
                // No compiler or MSBuild server outlives the build (every process a test starts is stopped).
                ["MSBUILDDISABLENODEREUSE"] = "1",
                ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
                ["UseSharedCompilation"] = "false",
                ["UseRazorBuildServer"] = "false",
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                ["DOTNET_NOLOGO"] = "1",
            });

            DataVolume = Image.HostPath(Assert.Single(Image.Volumes));
            if (!Directory.Exists(DataVolume))
            {
                // Docker mounts a new volume where the image has no folder as root's, 0755.
                Directory.CreateDirectory(DataVolume);
                File.SetUnixFileMode(DataVolume, (UnixFileMode)0b111_101_101);
            }

            // The app user's home (the base image has one), root's here: the volume must be all the dashboard needs.
            foreach (var folder in new[] { "/home", "/home/app" })
            {
                Directory.CreateDirectory(Image.HostPath(folder));
                File.SetUnixFileMode(Image.HostPath(folder), (UnixFileMode)0b111_101_101);
            }

            ImageFilesBeforeStart = Directory.GetFileSystemEntries(Image.Root, "*", SearchOption.AllDirectories)
                .Where(p => !p.StartsWith(DataVolume, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
            UserId = Image.User switch
            {
                null or "root" or "0" => 0,
                "app" => int.Parse(Image.Environment["APP_UID"], CultureInfo.InvariantCulture),
                var uid => int.Parse(uid.Split(':')[0], CultureInfo.InvariantCulture),
            };

            Cluster = await CliCluster.StartAsync(primaries: 3, replicasPerPrimary: 0, spares: 0);
            Environment = ContainerEnvironment();
            var entrypoint = Image.Entrypoint;
            Dashboard = ConsoleDashboard.Start(entrypoint[0], entrypoint.Skip(1), Image.HostPath(Image.WorkingDirectory), Environment,
                cleanEnvironment: true, userId: UserId == 0 ? null : UserId);

            ListeningAddress = (await Dashboard.WaitForLineAsync(NowListening(), StartTimeout)).Groups["address"].Value;
            SignInLink = (await Dashboard.WaitForLineAsync(SignIn(), StartTimeout)).Groups["link"].Value;
            Client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{new Uri(ListeningAddress.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal)).Port}"),
                Timeout = TimeSpan.FromSeconds(90),
            };
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the dashboard (SIGTERM, as docker stop) and the cluster, and deletes the stand-ins; safe to call twice.</summary>
    public async Task DisposeAsync()
    {
        Client?.Dispose();
        Client = null!;
        if (Dashboard is { } dashboard)
        {
            Dashboard = null!;
            await dashboard.DisposeAsync();
        }

        if (Cluster is { } cluster)
        {
            Cluster = null!;
            await cluster.DisposeAsync();
        }

        TestDirectories.Delete(_work);
    }

    /// <summary>
    /// The image's environment and nothing of this process's: absolute paths mapped into the stand-in, the EXPOSEd port
    /// published on a free one, the PATH and HOME the base image has, and what compose adds (the seeds, a token).
    /// </summary>
    private Dictionary<string, string?> ContainerEnvironment()
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in Image.Environment)
        {
            var mapped = value.StartsWith('/') ? Image.HostPath(value) : value;
            foreach (var port in Image.ExposedPorts.Select(p => p.ToString(CultureInfo.InvariantCulture)))
            {
                mapped = mapped == port ? "0" : mapped.Replace(":" + port, ":0", StringComparison.Ordinal);
            }

            environment[key] = mapped;
        }

        // The image's dotnet is on its PATH (/usr/bin); here it is wherever this test's dotnet is.
        environment["PATH"] = $"{Path.GetDirectoryName(ConsoleDashboard.DotnetHost)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        if (System.Environment.GetEnvironmentVariable("DOTNET_ROOT") is { } dotnetRoot)
        {
            environment["DOTNET_ROOT"] = dotnetRoot;
        }

        environment["HOME"] = Image.HostPath("/home/app");

        // What docker/compose.yaml gives the dashboard service.
        for (var i = 0; i < Cluster.Endpoints.Count; i++)
        {
            environment[$"Valkey__External__Endpoints__{i}"] = Cluster.Endpoints[i];
        }

        environment["Dashboard__Auth__Tokens__0__Name"] = "ci";
        environment["Dashboard__Auth__Tokens__0__Token"] = Token;
        environment["Dashboard__Auth__Tokens__0__Role"] = "operator";
        return environment;
    }

    [GeneratedRegex(@"Now listening on: (?<address>\S+)")]
    private static partial Regex NowListening();

    [GeneratedRegex(@"^Sign in: (?<link>\S+)")]
    private static partial Regex SignIn();
}
