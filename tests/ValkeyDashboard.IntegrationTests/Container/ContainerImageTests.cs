using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Container;

/// <summary>
/// The dashboard as docker/Dockerfile builds it and docker/compose.yaml runs it (replayed, see
/// <see cref="ContainerImageFixture"/>): it starts as the image's non-root user, writes only to its data volume, listens
/// where the image says, prints the sign-in link, takes a script's token and moves slots. A change to the Dockerfile
/// that breaks any of it fails here.
/// </summary>
[Collection(OwnClustersCollection.Name)]
public class ContainerImageTests(ContainerImageFixture container) : IClassFixture<ContainerImageFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task It_runs_as_the_images_non_root_user()
    {
        Assert.NotEqual(0, container.UserId);
        var status = await File.ReadAllLinesAsync($"/proc/{container.Dashboard.ProcessId}/status");

        Assert.Equal($"Uid:\t{container.UserId}\t{container.UserId}\t{container.UserId}\t{container.UserId}", status.Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)));
    }

    [Fact]
    public void It_listens_on_every_interface_of_the_container_on_the_exposed_port()
    {
        // Before the port was published on a free one here, the image's settings named its EXPOSEd port.
        var exposed = Assert.Single(container.Image.ExposedPorts).ToString(CultureInfo.InvariantCulture);
        Assert.Contains(container.Image.Environment, v => v.Key is "ASPNETCORE_HTTP_PORTS" or "ASPNETCORE_URLS" or "Urls" && v.Value.Contains(exposed, StringComparison.Ordinal));

        // Loopback inside a container is unreachable from outside it.
        Assert.Matches(@"^http://(\[::\]|0\.0\.0\.0|\*|\+):\d+$", container.ListeningAddress);
    }

    [Fact]
    public async Task Health_answers_200_without_sign_in_for_an_external_probe()
    {
        using var response = await container.Client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString();
        Assert.True(status is "Healthy" or "Degraded", $"status {status}");
    }

    [Fact]
    public async Task The_sign_in_link_is_printed_on_the_console_and_signs_a_browser_in()
    {
        Assert.StartsWith(container.ListeningAddress.TrimEnd('/') + "/login?t=", container.SignInLink, StringComparison.Ordinal);
        var link = new Uri(container.SignInLink);

        using var signIn = await container.Client.GetAsync(new Uri(link.PathAndQuery, UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie")).Split(';')[0];

        // The page opens with the cookie (the API takes bearer tokens only) and not without it.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("Cookie", cookie);
        using var page = await container.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using var anonymous = await container.Client.GetAsync(new Uri("/", UriKind.Relative));
        Assert.NotEqual(HttpStatusCode.OK, anonymous.StatusCode);
    }

    [Fact]
    public async Task A_scripts_bearer_token_from_the_environment_is_accepted_and_no_token_is_refused()
    {
        using var anonymous = await container.Client.GetAsync(new Uri("/api/cluster", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        var cluster = await GetJsonAsync("/api/cluster");

        Assert.Equal(container.Cluster.Endpoints.Count, cluster.GetProperty("nodes").GetArrayLength());
    }

    [Fact]
    public async Task A_migration_started_through_the_API_succeeds()
    {
        JsonElement cluster = default;
        await Cluster.Concurrency.Wait.UntilAsync(async _ => (cluster = await GetJsonAsync("/api/cluster")).GetProperty("state").GetString() == "ok",
            Deadline, "the dashboard to see the cluster ok");
        var target = cluster.GetProperty("nodes").EnumerateArray()
            .First(n => n.GetProperty("role").GetString() == "primary" && n.GetProperty("slots")[0][0].GetInt32() != 0);
        var slot = target.GetProperty("slots")[0][0].GetInt32() - 1;

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/migrations")
        {
            Content = new StringContent($$"""{"slots": "{{slot}}", "targetNodeId": "{{target.GetProperty("id").GetString()}}"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", container.Token);
        using var started = await container.Client.SendAsync(request);
        var body = await started.Content.ReadAsStringAsync();
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, $"{(int)started.StatusCode}: {body}");

        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString();
        var finished = await GetJsonAsync($"/api/migrations/{id}?wait=60");
        Assert.Equal("succeeded", finished.GetProperty("state").GetString());
    }

    [Fact]
    public void It_writes_only_in_its_data_volume_and_only_for_its_own_user()
    {
        var volume = container.DataVolume;
        Assert.True(File.Exists(Path.Combine(volume, "dashboard.db")), "the database is in the volume");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(volume, "keys"), "key-*.xml"));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(volume, "logs"), "dashboard-*.log"));

        var written = Directory.GetFileSystemEntries(container.Image.Root, "*", SearchOption.AllDirectories)
            .Where(p => !p.StartsWith(volume, StringComparison.Ordinal) && !container.ImageFilesBeforeStart.Contains(p)).ToList();
        Assert.True(written.Count == 0, "written outside the volume: " + string.Join(", ", written));

        foreach (var entry in Directory.GetFileSystemEntries(volume, "*", SearchOption.AllDirectories).Append(volume))
        {
            var mode = File.GetUnixFileMode(entry);
            Assert.True((mode & (UnixFileMode)0b000_111_111) == 0, $"{entry} is open to other users: {Convert.ToString((int)mode, 8)}");
        }
    }

    [Fact]
    public void The_app_adds_less_than_25_MB_to_the_base_image_and_native_code_only_for_the_base_images_systems()
    {
        var app = container.Image.HostPath(container.Image.WorkingDirectory);
        var files = Directory.GetFiles(app, "*", SearchOption.AllDirectories).Where(f => !f.StartsWith(container.DataVolume, StringComparison.Ordinal)).ToList();
        var megabytes = files.Sum(f => new FileInfo(f).Length) / (1024.0 * 1024.0);

        Assert.True(megabytes < 25, $"the published app is {megabytes:0.0} MB");
        var runtimes = Path.Combine(app, "runtimes");
        Assert.All(Directory.Exists(runtimes) ? Directory.GetDirectories(runtimes) : [], rid => Assert.True(Path.GetFileName(rid) is "linux-x64" or "linux-arm64" or "linux-arm", rid));
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", container.Token);
        using var response = await container.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }
}
