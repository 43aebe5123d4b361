using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ValkeyDashboard.Cluster.Concurrency;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// A real Prometheus (Debian's package, a private copy from <c>eng/get-server.sh prometheus</c>) on a port from the
/// tests' range, scraping one target every second with a bearer token; read back through its HTTP API. Disposing kills
/// it and deletes its folder, so a failed test leaves nothing running.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private const string BinDirVariable = "PROMETHEUS_BIN_DIR";
    private readonly Process _process;
    private readonly string _folder;
    private readonly StringBuilder _output = new();

    private PrometheusServer(Process process, string folder, Uri address)
    {
        _process = process;
        _folder = folder;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Client { get; }

    /// <summary>The folder with <c>prometheus</c> and <c>promtool</c>.</summary>
    public static string BinDirectory
    {
        get
        {
            var directory = Environment.GetEnvironmentVariable(BinDirVariable) is { Length: > 0 } configured
                ? configured
                : Path.Combine(TestDirectories.RepositoryRoot(), ".tools", "prometheus", "bin");
            return File.Exists(Path.Combine(directory, "prometheus"))
                ? directory
                : throw new InvalidOperationException(
                    $"prometheus is not in {directory}. Run eng/get-server.sh prometheus (eng/test.sh does), or set {BinDirVariable} to a folder with prometheus and promtool.");
        }
    }

    /// <summary>Starts Prometheus scraping <paramref name="target"/>'s <paramref name="path"/> with <paramref name="bearerToken"/> every second.</summary>
    public static async Task<PrometheusServer> StartAsync(Uri target, string path, string bearerToken)
    {
        var folder = TestDirectories.Create("prometheus");
        var port = TestPorts.AllocateBlock(1);
        var config = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: dashboard
                metrics_path: {path}
                authorization:
                  type: Bearer
                  credentials: {bearerToken}
                static_configs:
                  - targets: ['{target.Authority}']
            """);
        var start = new ProcessStartInfo(Path.Combine(BinDirectory, "prometheus"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])[$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(folder, "data")}",
            $"--web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start");
        var server = new PrometheusServer(process, folder, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"));
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits until the scrape target is up (Prometheus scraped it successfully) and returns its state.</summary>
    public async Task<JsonElement> WaitForTargetUpAsync(TimeSpan timeout)
    {
        JsonElement target = default;
        await Wait.UntilAsync(
            async cancellation =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"prometheus exited with {_process.ExitCode}: {Output}");
                }

                try
                {
                    var targets = await Client.GetFromJsonAsync<JsonElement>(new Uri("api/v1/targets", UriKind.Relative), cancellation);
                    var active = targets.GetProperty("data").GetProperty("activeTargets");
                    if (active.GetArrayLength() == 0)
                    {
                        return false;
                    }

                    target = active[0];
                    return target.GetProperty("health").GetString() == "up";
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            timeout, $"Prometheus's target to be up (last: {(target.ValueKind == JsonValueKind.Undefined ? "none" : target.GetRawText())})", TimeSpan.FromMilliseconds(250));
        return target;
    }

    /// <summary>An instant query (<c>/api/v1/query</c>): each result's labels and value.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string query)
    {
        var answer = await Client.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/query?query={Uri.EscapeDataString(query)}", UriKind.Relative));
        return [.. answer.GetProperty("data").GetProperty("result").EnumerateArray().Select(r => (
            (IReadOnlyDictionary<string, string>)r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal),
            double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))];
    }

    /// <summary><c>promtool check metrics</c> on an exposition: its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition)
    {
        var start = new ProcessStartInfo(Path.Combine(BinDirectory, "promtool"))
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("check");
        start.ArgumentList.Add("metrics");
        using var promtool = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start");
        var stdout = promtool.StandardOutput.ReadToEndAsync();
        var stderr = promtool.StandardError.ReadToEndAsync();
        await promtool.StandardInput.WriteAsync(exposition);
        promtool.StandardInput.Close();
        await promtool.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (promtool.ExitCode, await stdout + await stderr);
    }

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        finally
        {
            _process.Dispose();
            TestDirectories.Delete(_folder);
        }
    }
}
