using System.Net;
using Microsoft.AspNetCore.Http;
using ValkeyDashboard.IntegrationTests.Api;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Security;

/// <summary>
/// With sign-in off (<c>Dashboard:Auth:Mode=None</c>) everyone who reaches the dashboard is an operator, so every request
/// (not only the start-up check) must come from this machine to a loopback name: DNS rebinding (another site's name
/// resolving to 127.0.0.1), a proxy in front, or a non-loopback address at either end is refused.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public class LoopbackOnlyTests(SharedClusterFixture fixture)
{
    private DashboardAppFactory SignInOff() => DashboardAppFactory.External([fixture.Cluster.Host.Nodes[0].Endpoint]);

    [Theory]
    [InlineData("attacker.example")]
    [InlineData("attacker.example:80")]
    [InlineData("127.0.0.1.nip.io")]
    [InlineData("10.0.0.5")]
    public async Task A_request_for_a_host_name_that_is_not_loopback_is_refused_as_DNS_rebinding_would_send_it(string host)
    {
        await using var factory = SignInOff();
        using var client = factory.CreateClient();

        foreach (var path in new[] { "/api/cluster", "/" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
            request.Headers.Host = host;
            await MigrationsApiTests.AssertProblemAsync(await client.SendAsync(request), HttpStatusCode.BadRequest, "answers only to localhost, 127.0.0.1 or [::1]");
        }
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    public async Task A_request_for_a_loopback_name_is_answered(string host)
    {
        await using var factory = SignInOff();
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/cluster", UriKind.Relative));
        request.Headers.Host = host;

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_loopback_name_with_another_port_than_the_one_listened_on_is_refused()
    {
        await using var factory = SignInOff();
        factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        using var client = factory.CreateClient();
        var port = client.BaseAddress!.Port;

        using var same = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/cluster", UriKind.Relative));
        same.Headers.Host = $"localhost:{port}";
        using var other = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/cluster", UriKind.Relative));
        other.Headers.Host = $"localhost:{(port == 65535 ? port - 1 : port + 1)}";

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(same)).StatusCode);
        await MigrationsApiTests.AssertProblemAsync(await client.SendAsync(other), HttpStatusCode.BadRequest, $"but the dashboard listens on {port}");
    }

    [Theory]
    [InlineData("Forwarded", "for=203.0.113.9")]
    [InlineData("X-Forwarded-For", "203.0.113.9")]
    [InlineData("X-Forwarded-Host", "dashboard.example")]
    [InlineData("X-Forwarded-Proto", "https")]
    public async Task A_request_through_a_proxy_is_refused(string header, string value)
    {
        await using var factory = SignInOff();
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/cluster", UriKind.Relative));
        request.Headers.Add(header, value);

        await MigrationsApiTests.AssertProblemAsync(await client.SendAsync(request), HttpStatusCode.Forbidden, $"not through a proxy ({header})");
    }

    [Theory]
    [InlineData("remote")]
    [InlineData("local")]
    public async Task A_request_with_an_address_that_is_not_loopback_at_either_end_is_refused_on_every_request(string end)
    {
        await using var factory = SignInOff();
        using (var first = factory.CreateClient())
        {
            Assert.Equal(HttpStatusCode.OK, (await first.GetAsync(new Uri("/api/cluster", UriKind.Relative))).StatusCode);
        }

        var context = await factory.Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Post;
            c.Request.Path = "/api/migrations/some-id/cancel";
            c.Request.Headers[DashboardAppFactory.ScriptHeader] = "test";
            if (end == "remote")
            {
                c.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.10");
            }
            else
            {
                c.Connection.LocalIpAddress = IPAddress.Parse("192.0.2.1");
            }
        });

        Assert.Equal(StatusCodes.Status403Forbidden, context.Response.StatusCode);
        Assert.Contains($"the {end} address is 192.0.2.", await new StreamReader(context.Response.Body).ReadToEndAsync(), StringComparison.Ordinal);
    }
}
