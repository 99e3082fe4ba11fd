using System.Net;
using Finsoft.Api.Tests.Infrastructure;

namespace Finsoft.Api.Tests;

/// <summary>What every response says about itself, whose forwarded address is believed, and the API docs switch; over real HTTP.</summary>
public sealed class EdgeSecurityTests
{
    [Fact]
    public async Task Responses_carry_the_safety_headers_no_server_name_and_no_store_when_signed_in()
    {
        await using var app = await TestApp.StartAsync(DatabaseKind.Sqlite, overKestrel: true);
        var api = app.Api();
        using var health = await api.GetAsync("/health", null);
        Assert.Equal("nosniff", health.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", health.Headers.GetValues("Referrer-Policy").Single());
        Assert.False(health.Headers.Contains("Server"));
        Assert.False(health.Headers.Contains("Strict-Transport-Security")); // plain HTTP: HSTS only ever over HTTPS

        var admin = await api.AdminAsync();
        using var me = await api.GetAsync("/api/v1/auth/me", admin.Token);
        Assert.True(me.Headers.CacheControl?.NoStore);
        using var refused = await api.GetAsync("/api/v1/auth/me", "not-a-token"); // a problem answer to a token is not cached either
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.True(refused.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task A_forwarded_client_address_is_believed_only_from_a_configured_proxy()
    {
        async Task<string?> SignInAddressAsync(TestApp app)
        {
            var api = app.Api();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { email = TestApp.AdminEmail, password = TestApp.AdminPassword }),
            };
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
            using var login = await api.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            var token = (await ApiClient.BodyAsync(login)).GetProperty("token").GetString();
            var events = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/admin/audit?event=login.succeeded", token: token);
            return events.EnumerateArray().Single().GetProperty("client_address").GetString();
        }

        await using (var direct = await TestApp.StartAsync(DatabaseKind.Sqlite, overKestrel: true))
        {
            Assert.Equal("127.0.0.1", await SignInAddressAsync(direct)); // a client cannot forge its address
        }
        await using var proxied = await TestApp.StartAsync(DatabaseKind.Sqlite,
            new Dictionary<string, string?> { ["Finsoft:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1" }, overKestrel: true);
        Assert.Equal("203.0.113.7", await SignInAddressAsync(proxied));

        // Behind a TLS-terminating proxy the request was HTTPS, and the answer says to keep to it (HSTS).
        using var https = new HttpRequestMessage(HttpMethod.Get, "/health");
        https.Headers.Add("X-Forwarded-Proto", "https");
        https.Headers.Host = "api.example.test"; // HSTS is never sent for localhost
        using var answer = await proxied.Api().Http.SendAsync(https);
        Assert.StartsWith("max-age=", answer.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_api_documents_can_be_switched_off()
    {
        await using (var on = await TestApp.StartAsync(DatabaseKind.Sqlite))
        {
            Assert.Equal(HttpStatusCode.OK, (await on.Api().GetAsync("/openapi/v1.json", null)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await on.Api().GetAsync("/api/v1/swagger/index.html", null)).StatusCode);
        }
        await using var off = await TestApp.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Finsoft:ApiDocs:Enabled"] = "false" });
        Assert.Equal(HttpStatusCode.NotFound, (await off.Api().GetAsync("/openapi/v1.json", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await off.Api().GetAsync("/api/v1/swagger/index.html", null)).StatusCode);
    }
}
