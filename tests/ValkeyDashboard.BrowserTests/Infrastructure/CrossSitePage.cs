using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace ValkeyDashboard.BrowserTests.Infrastructure;

/// <summary>
/// Another site's page, served by a Kestrel of its own from another loopback port (the same *site* as the dashboard, so
/// SameSite cookies ride along), that tries what any page a dashboard user visits could try against the dashboard:
/// WebSockets to the hub and to Blazor's <c>/_blazor</c> (reading what they answer), body-less and text POSTs with
/// <c>mode: no-cors</c> (a form could send the same), a <c>fetch</c> with credentials, and an iframe. Disposing stops it.
/// </summary>
public sealed class CrossSitePage : IAsyncDisposable
{
    private readonly WebApplication _site;

    private CrossSitePage(WebApplication site, Uri address)
    {
        _site = site;
        Address = address;
    }

    /// <summary>Where the page is, e.g. <c>http://127.0.0.1:41235/</c>.</summary>
    public Uri Address { get; }

    /// <summary>Serves the page that attacks <paramref name="dashboard"/>, naming a node to stop, a node to move slots to and a migration to cancel.</summary>
    public static async Task<CrossSitePage> StartAsync(Uri dashboard, string nodeToStop, string targetNode, string migrationToCancel)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var site = builder.Build();
        var html = Html(dashboard.ToString().TrimEnd('/'), nodeToStop, targetNode, migrationToCancel);
        site.MapGet("/", () => Results.Content(html, "text/html"));
        await site.StartAsync();
        return new CrossSitePage(site, new Uri(site.Urls.Single().TrimEnd('/') + "/"));
    }

    /// <summary>Opens the page in <paramref name="page"/> (its iframe loaded) and runs every attempt; what each got back.</summary>
    public async Task<CrossSiteOutcome> AttackAsync(IPage page)
    {
        await page.GotoAsync(Address.ToString(), new() { WaitUntil = WaitUntilState.Load });
        var result = await page.EvaluateAsync<JsonElement>("() => window.attack()");
        var framesWithNodes = 0;
        foreach (var frame in page.Frames.Where(f => f != page.MainFrame))
        {
            framesWithNodes += await frame.Locator("[data-testid^=\"node-card-\"]").CountAsync();
        }

        return new CrossSiteOutcome(
            result.GetProperty("hub").GetString()!,
            result.GetProperty("blazor").GetString()!,
            result.GetProperty("read").GetString()!,
            framesWithNodes);
    }

    public async ValueTask DisposeAsync()
    {
        await _site.StopAsync();
        await _site.DisposeAsync();
    }

    private static string Html(string target, string nodeToStop, string targetNode, string migration) =>
        $$"""
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>Some other page</title></head>
        <body>
        <iframe id="framed" src="{{target}}/" width="800" height="400"></iframe>
        <script>
        const target = {{JsonSerializer.Serialize(target)}};
        // A WebSocket's answer: "error" when refused, what it read when it was answered (within 5 s: the deadline).
        function ws(path) {
            return new Promise(resolve => {
                let got = '', settled = false, socket;
                const done = answer => { if (!settled) { settled = true; try { socket.close(); } catch (e) { } resolve(answer); } };
                try { socket = new WebSocket(target.replace('http:', 'ws:') + path); } catch (e) { resolve('error'); return; }
                socket.onopen = () => socket.send('{"protocol":"json","version":1}\u001e');
                socket.onmessage = e => { got += e.data; if (got.length > 2) done('read: ' + got.slice(0, 300)); };
                socket.onerror = () => done(got ? 'read: ' + got.slice(0, 300) : 'error');
                socket.onclose = () => done(got ? 'read: ' + got.slice(0, 300) : 'closed');
                setTimeout(() => done(got ? 'read: ' + got.slice(0, 300) : 'open'), 5000);
            });
        }
        async function post(path, options) {
            try { await fetch(target + path, Object.assign({ method: 'POST', mode: 'no-cors' }, options)); return 'sent'; } catch (e) { return 'error'; }
        }
        window.attack = async () => {
            const hub = await ws('/hubs/cluster');
            const blazor = await ws('/_blazor');
            await post('/api/nodes/{{nodeToStop}}/stop');
            await post('/api/nodes/{{nodeToStop}}/stop', { credentials: 'include' });
            await post('/api/migrations/{{migration}}/cancel', { credentials: 'include' });
            await post('/api/migrations', { credentials: 'include', headers: { 'Content-Type': 'text/plain' },
                body: JSON.stringify({ slots: '0-9', targetNodeId: '{{targetNode}}' }) });
            await post('/api/plans', { credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body: '{"kind":"rebalance","metric":"slots"}' });
            const read = await fetch(target + '/api/cluster', { credentials: 'include' }).then(r => 'status ' + r.status, () => 'blocked');
            return { hub, blazor, read };
        };
        </script>
        </body></html>
        """;
}

/// <summary>What the other site's page got: each WebSocket's answer, a credentialed read, and node cards shown in its iframe.</summary>
public sealed record CrossSiteOutcome(string Hub, string Blazor, string Read, int NodeCardsInFrames);
