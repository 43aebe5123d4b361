using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Benchmarks;

/// <summary>A node as <c>GET /api/cluster</c> shows it (only the fields the benchmark needs).</summary>
internal sealed record DashboardNode(string Id, string Endpoint, string Role, int[][] Slots)
{
    public bool IsPrimary => Role == "primary";

    public SlotRangeSet SlotSet => SlotRangeSet.From(Slots.Select(r => new SlotRange(r[0], r[1])));
}

internal sealed record DashboardCluster(string State, DashboardNode[] Nodes);

/// <summary>A migration's state as <c>GET /api/migrations/{id}</c> reports it, with the whole answer for error messages.</summary>
internal sealed record DashboardMigrationState(string State, string Body);

/// <summary>The dashboard's REST API, as a script or CI job would call it.</summary>
internal sealed class DashboardClient(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The client itself, for the calls a benchmark makes on its own.</summary>
    public HttpClient Http => http;

    public async Task<DashboardCluster> GetClusterAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<DashboardCluster>("/api/cluster", Json, cancellationToken)
            ?? throw new BenchmarkFailedException("GET /api/cluster answered with nothing");

    /// <summary><c>POST /api/migrations</c>; anything but 202 fails the run. Returns the migration's id.</summary>
    public async Task<string> StartMigrationAsync(SlotRangeSet slots, string targetNodeId, CancellationToken cancellationToken, string? engine = null)
    {
        using var response = await http.PostAsJsonAsync("/api/migrations", new { slots = slots.ToString(), targetNodeId, engine = engine ?? "auto" }, Json, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new BenchmarkFailedException($"POST /api/migrations (slots {slots} to {targetNodeId}) answered {(int)response.StatusCode}: {body}");
        }

        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("id").GetString()
            ?? throw new BenchmarkFailedException($"POST /api/migrations answered without an id: {body}");
    }

    /// <summary><c>GET /api/migrations/{id}?wait=N</c>: answers once the migration has finished, or after N seconds.</summary>
    public async Task<DashboardMigrationState> WaitForMigrationAsync(string id, int waitSeconds, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri($"/api/migrations/{id}?wait={waitSeconds}", UriKind.Relative), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new BenchmarkFailedException($"GET /api/migrations/{id} answered {(int)response.StatusCode}: {body}");
        }

        using var document = JsonDocument.Parse(body);
        return new DashboardMigrationState(document.RootElement.GetProperty("state").GetString() ?? string.Empty, body);
    }
}
