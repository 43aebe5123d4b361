using System.Globalization;
using System.Net;
using System.Text.Json;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// A 3-primary, 3-replica cluster formed by valkey-cli (with one spare node), and a dashboard in External mode over it
/// whose doctor counts an atomic migration as stalled after 2 s: what the doctor tests break with raw commands, one
/// test at a time, each putting back what it changed.
/// </summary>
public sealed class DoctorClusterFixture : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public CliCluster Cluster { get; private set; } = null!;

    public DashboardAppFactory Factory { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await CliCluster.StartAsync(primaries: 3, replicasPerPrimary: 1, spares: 1);
        Factory = DashboardAppFactory.External(Cluster.Endpoints)
            .With("Dashboard:Doctor:StalledMigrationAfter", "00:00:02")
            .With("Dashboard:Doctor:CheckInterval", "00:00:02");
        Client = Factory.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Factory is not null)
        {
            await Factory.DisposeAsync();
        }

        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }

    /// <summary>Runs valkey-cli against one node (host:port) and returns what it printed.</summary>
    public Task<string> CliAsync(string endpoint, params string[] arguments) =>
        Cluster.CliAsync(["-p", endpoint[(endpoint.LastIndexOf(':') + 1)..], .. arguments]);

    /// <summary>The findings of <c>GET /api/doctor</c> now.</summary>
    public async Task<IReadOnlyList<JsonElement>> FindingsAsync() =>
        [.. (await Client.GetJsonAsync("/api/doctor")).GetProperty("findings").EnumerateArray()];

    /// <summary>Waits until the doctor's findings satisfy <paramref name="predicate"/>, and returns them.</summary>
    public async Task<IReadOnlyList<JsonElement>> WaitForFindingsAsync(Func<IReadOnlyList<JsonElement>, bool> predicate, string what)
    {
        IReadOnlyList<JsonElement> last = [];
        await ValkeyDashboard.Cluster.Concurrency.Wait.UntilAsync(
            async _ =>
            {
                last = await FindingsAsync();
                return predicate(last);
            },
            Deadline, $"the doctor to find {what} (last: {string.Join("; ", last.Select(f => f.GetProperty("message").GetString()))})", TimeSpan.FromMilliseconds(250));
        return last;
    }

    /// <summary>Waits until the doctor finds only what a healthy test cluster has: each primary's replica on the same host.</summary>
    public Task WaitForHealthyAsync() =>
        WaitForFindingsAsync(f => f.All(x => Kind(x) == "replica-on-same-host") && f.Count == 3, "nothing but the three replicas on the same host");

    public static string Kind(JsonElement finding) => finding.GetProperty("kind").GetString()!;

    /// <summary>(id, endpoint, slots) of each primary and (id, endpoint, primaryId) of each replica, from /api/cluster, in endpoint order.</summary>
    public async Task<(IReadOnlyList<(string Id, string Endpoint, string Slots)> Primaries, IReadOnlyList<(string Id, string Endpoint, string PrimaryId)> Replicas)> TopologyAsync()
    {
        var nodes = (await Client.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray().ToList();
        var replicas = nodes.Where(n => n.GetProperty("role").GetString() == "replica")
            .Select(n => (n.GetProperty("id").GetString()!, n.GetProperty("endpoint").GetString()!, n.GetProperty("primaryId").GetString()!))
            .OrderBy(r => r.Item2, StringComparer.Ordinal).ToList();
        return (await Client.PrimariesAsync(), replicas);
    }

    /// <summary>A slot number as command text.</summary>
    public static string Text(int slot) => slot.ToString(CultureInfo.InvariantCulture);

    /// <summary>The <c>nodeIds</c> of a finding.</summary>
    public static IReadOnlyList<string> NodeIds(JsonElement finding) => [.. finding.GetProperty("nodeIds").EnumerateArray().Select(n => n.GetString()!)];

    /// <summary>Every command of a fix's answer (dry run or sent), in order.</summary>
    public static IReadOnlyList<string> Commands(JsonElement fix) =>
        [.. fix.GetProperty("steps").EnumerateArray().SelectMany(s => s.GetProperty("commands").EnumerateArray()).Select(c => c.GetString()!)];

    public Task<HttpResponseMessage> PostAsync(string path) => Client.PostAsync(new Uri(path, UriKind.Relative), null);

    /// <summary>POSTs and asserts a 200, returning the answer.</summary>
    public async Task<JsonElement> PostOkAsync(string path)
    {
        using var response = await PostAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST {path}: {response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>Asserts the audit rows of fix <paramref name="fixId"/> (action doctor.fix): their outcomes, newest first (default: one, accepted).</summary>
    public async Task AssertAuditedAsync(string fixId, params string[] outcomes)
    {
        var entries = (await Client.GetJsonAsync("/api/audit")).GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("subject").GetString() == fixId).ToList();
        Assert.All(entries, e => Assert.Equal("doctor.fix", e.GetProperty("action").GetString()));
        Assert.Equal(outcomes.Length == 0 ? ["accepted"] : outcomes, entries.Select(e => e.GetProperty("outcome").GetString()));
    }

    /// <summary>The first slot of "a-b,c" slot text.</summary>
    public static int FirstSlot(string slots) => int.Parse(slots.Split(',', '-')[0], CultureInfo.InvariantCulture);
}

[CollectionDefinition(Name)]
public sealed class DoctorClusterCollection : ICollectionFixture<DoctorClusterFixture>
{
    public const string Name = "doctor cluster";
}
