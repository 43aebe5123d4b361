using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace ValkeyDashboard.Authentication;

/// <summary>
/// Once the server listens: refuses <see cref="DashboardAuthMode.None"/> on any address that is not loopback, and prints
/// the browser sign-in link.
/// </summary>
internal sealed class DashboardAuthStartup(
    IServer server,
    IOptions<DashboardAuthOptions> auth,
    BrowserSignIn signIn,
    ILogger<DashboardAuthStartup> logger) : IHostedLifecycleService
{
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

        var address = addresses.OrderBy(a => IsLoopback(a) ? 0 : 1).FirstOrDefault();
        if (address is not null)
        {
            // On the console only: the token must not end up in log files.
            Console.Out.WriteLine($"Sign in: {address.TrimEnd('/')}{BrowserSignIn.Path}?t={signIn.Token}");
            logger.LogInformation("Sign-in is on: the browser sign-in link was printed on the console (it is not written to the log files); {Tokens} API token(s) configured",
                options.Tokens.Count);
        }

        return Task.CompletedTask;
    }

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

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
