using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// The dashboard as an operator runs it: its own <c>dotnet</c> process (what a crash or <c>kill -9</c> can end), with
/// an embedded cluster in a scratch folder on ports from the tests' range, signed in with an operator token. Disposing
/// stops it like Ctrl+C (SIGTERM); a test that kills it uses <see cref="Kill"/>.
/// </summary>
internal sealed partial class DashboardProcess : IAsyncDisposable
{
    public const string Token = "dashboard-process-test-token";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DashboardProcess(Process process) => _process = process;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>What it wrote to the console so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Settings for a dashboard with an embedded cluster of <paramref name="primaries"/>×1 in <paramref name="folder"/>.</summary>
    public static Dictionary<string, string> EmbeddedSettings(string folder, int basePort, int primaries = 3) => new(StringComparer.Ordinal)
    {
        ["Valkey:Mode"] = "Embedded",
        ["Valkey:Embedded:BasePort"] = basePort.ToString(CultureInfo.InvariantCulture),
        ["Valkey:Embedded:Primaries"] = primaries.ToString(CultureInfo.InvariantCulture),
        ["Valkey:Embedded:ReplicasPerPrimary"] = "1",
        ["Valkey:Embedded:DataDirectory"] = Path.Combine(folder, "cluster"),
        ["Valkey:Embedded:NodeTimeoutMilliseconds"] = "2000",
        ["Valkey:PollInterval"] = "00:00:00.250",
        ["Dashboard:DatabasePath"] = Path.Combine(folder, "dashboard.db"),
        ["Dashboard:LogDirectory"] = Path.Combine(folder, "logs"),
        ["Dashboard:KeysDirectory"] = Path.Combine(folder, "keys"),
        ["Dashboard:RateLimit:MutationsPerMinute"] = "1000000",
        ["Dashboard:Auth:Tokens:0:Name"] = "test",
        ["Dashboard:Auth:Tokens:0:Token"] = Token,
        ["Dashboard:Auth:Tokens:0:Role"] = "operator",
    };

    /// <summary>Starts the dashboard and returns once it listens (its cluster is up by then).</summary>
    public static async Task<DashboardProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(typeof(Program).Assembly.Location)!,
        };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        var dashboard = new DashboardProcess(new Process { StartInfo = start });
        dashboard._process.OutputDataReceived += (_, e) => dashboard.Append(e.Data);
        dashboard._process.ErrorDataReceived += (_, e) => dashboard.Append(e.Data);
        dashboard._process.Start();
        dashboard._process.BeginOutputReadLine();
        dashboard._process.BeginErrorReadLine();
        try
        {
            var address = await dashboard._listening.Task.WaitAsync(StartTimeout);
            dashboard.Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(120) };
            dashboard.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            return dashboard;
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            await dashboard.DisposeAsync();
            throw new InvalidOperationException($"the dashboard did not start listening within {StartTimeout.TotalSeconds:0} s: {dashboard.Output}", ex);
        }
    }

    /// <summary>SIGKILL: the dashboard dies at once, as in a crash; its nodes (in sessions of their own) keep running.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit(TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGTERM, as Ctrl+C or a service manager: the dashboard stops its nodes, then itself.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"the dashboard did not stop within 60 s of SIGTERM: {Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            Client?.Dispose();
            _process.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            if (!_listening.Task.IsCompleted)
            {
                _listening.TrySetException(new InvalidOperationException("the dashboard's output ended before it listened"));
            }

            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
