using System.Net;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace ValkeyDashboard.Authentication;

/// <summary>
/// Once the server listens: refuses <see cref="DashboardAuthMode.None"/> on any address that is not loopback, and prints
/// a browser sign-in link, then a new one each time the process gets <c>SIGUSR1</c> (<c>kill -USR1 &lt;pid&gt;</c>): a
/// link works once and for <see cref="DashboardAuthOptions.SignInLinkLifetime"/>.
/// </summary>
internal sealed class DashboardAuthStartup(
    IServer server,
    IOptions<DashboardAuthOptions> auth,
    BrowserSignIn signIn,
    ILogger<DashboardAuthStartup> logger) : IHostedLifecycleService, IDisposable
{
    /// <summary>SIGUSR1's number on Linux; .NET names only the common signals, others are passed as their number.</summary>
    private const int LinuxSigUsr1 = 10;

    private PosixSignalRegistration? _newLinkSignal;
    private string? _address;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var options = auth.Value;
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        if (options.Mode == DashboardAuthMode.None)
        {
            var exposed = addresses.Where(a => !IsLoopback(a)).ToList();
            if (exposed.Count > 0)
            {
                throw new InvalidOperationException(
                    $"Dashboard:Auth:Mode is None, but the dashboard listens on {string.Join(", ", exposed)}, which is not loopback: anyone who " +
                    "can reach it could move slots. Listen on 127.0.0.1 only (Urls) or remove Dashboard:Auth:Mode.");
            }

            logger.LogWarning("Sign-in is off (Dashboard:Auth:Mode None): everyone who can reach {Addresses} is an operator", string.Join(", ", addresses));
            return Task.CompletedTask;
        }

        _address = addresses.OrderBy(a => IsLoopback(a) ? 0 : 1).FirstOrDefault();
        if (_address is not null)
        {
            PrintLink(signIn.Token);
            if (OperatingSystem.IsLinux())
            {
                _newLinkSignal = PosixSignalRegistration.Create((PosixSignal)LinuxSigUsr1, context =>
                {
                    context.Cancel = true;
                    PrintLink(signIn.Issue());
                });
            }

            logger.LogInformation("Sign-in is on: a sign-in link was printed on the console (it is not written to the log files); " +
                "send SIGUSR1 to process {ProcessId} for a new one; {Tokens} API token(s) configured", Environment.ProcessId, options.Tokens.Count);
        }

        return Task.CompletedTask;
    }

    /// <summary>On the console only: the token must not end up in log files.</summary>
    private void PrintLink(string token) =>
        Console.Out.WriteLine($"Sign in: {_address!.TrimEnd('/')}{BrowserSignIn.Path}?t={token} " +
            $"(works once, until {signIn.ExpiresAt.ToLocalTime():HH:mm:ss}; kill -USR1 {Environment.ProcessId} prints a new one)");

    public void Dispose() => _newLinkSignal?.Dispose();

    internal static bool IsLoopback(string address)
    {
        if (!Uri.TryCreate(address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        _newLinkSignal?.Dispose();
        _newLinkSignal = null;
        return Task.CompletedTask;
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
