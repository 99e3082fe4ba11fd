using System.Net;
using System.Text;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Tests;

public abstract class IdentityTests(DatabaseKind kind)
{
    [DbFact]
    public async Task The_app_runs_on_the_database_the_test_class_names()
    {
        await using var app = await TestApp.StartAsync(kind);
        var provider = await app.WithDbAsync(db => Task.FromResult(db.Database.ProviderName ?? ""));
        Assert.Contains(kind == DatabaseKind.Postgres ? "Npgsql" : "Sqlite", provider, StringComparison.Ordinal);
    }

    [DbFact]
    public async Task Registration_creates_a_customer_and_hides_the_password()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/users",
            new { full_name = "John Doe", email = "John@Example.test", password = "securepassword123" });
        Assert.Equal("John Doe", user.GetProperty("full_name").GetString());
        Assert.Equal("john@example.test", user.GetProperty("email").GetString());
        Assert.Equal("customer", user.GetProperty("role").GetString());
        Assert.False(user.TryGetProperty("password", out _));
        Assert.False(user.TryGetProperty("password_hash", out _));
        var hash = app.EmailHash("john@example.test");
        var stored = await app.WithDbAsync(db => db.Users.SingleAsync(u => u.EmailHash == hash));
        Assert.DoesNotContain("securepassword123", stored.PasswordHash, StringComparison.Ordinal);
        // Name and email are sealed under the person's own key (ADR 0013): neither is stored as written.
        Assert.DoesNotContain("john", stored.Email, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("John", stored.FullName, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("pd1:", stored.Email, StringComparison.Ordinal);
    }

    [DbFact]
    public async Task Duplicate_email_is_409_and_a_role_in_the_body_is_refused()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        await api.RegisterAsync("dup@example.test");
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/users",
            new { full_name = "X", email = "DUP@example.test", password = "another-password-1" }), HttpStatusCode.Conflict);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/users",
            new { full_name = "X", email = "sneaky@example.test", password = "another-password-1", role = "admin" }), HttpStatusCode.BadRequest);
        var sneaky = app.EmailHash("sneaky@example.test");
        Assert.False(await app.WithDbAsync(db => db.Users.AnyAsync(u => u.EmailHash == sneaky)));
    }

    [DbFact]
    public async Task Registration_validates_fields_with_422()
    {
        await using var app = await TestApp.StartAsync(kind);
        var response = await app.Api().PostAsync("/api/v1/users", new { full_name = "", email = "not-an-email", password = "short" });
        await ApiClient.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        var body = await ApiClient.BodyAsync(response);
        var errors = body.GetProperty("errors");
        Assert.True(errors.TryGetProperty("full_name", out _));
        Assert.True(errors.TryGetProperty("email", out _));
        Assert.True(errors.TryGetProperty("password", out _));
    }

    [DbFact]
    public async Task Login_returns_user_token_expiry_and_refresh_token_and_me_answers()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        await api.RegisterAsync("me@example.test");
        var login = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/login", new { email = "me@example.test", password = "correct-horse-battery" });
        Assert.Equal("me@example.test", login.GetProperty("user").GetProperty("email").GetString());
        Assert.True(login.GetProperty("expires_at").GetDateTime() > DateTime.UtcNow);
        var me = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/auth/me", token: login.GetProperty("token").GetString());
        Assert.Equal("me@example.test", me.GetProperty("email").GetString());
    }

    [DbFact]
    public async Task Wrong_password_and_unknown_email_get_the_same_401()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        await api.RegisterAsync("known@example.test");
        var wrong = await api.PostAsync("/api/v1/auth/login", new { email = "known@example.test", password = "wrong-password-123" });
        var unknown = await api.PostAsync("/api/v1/auth/login", new { email = "nobody@example.test", password = "wrong-password-123" });
        await ApiClient.AssertProblemAsync(wrong, HttpStatusCode.Unauthorized, "Invalid email or password");
        await ApiClient.AssertProblemAsync(unknown, HttpStatusCode.Unauthorized, "Invalid email or password");
    }

    [DbFact]
    public async Task Logout_revokes_the_token_for_good_across_a_restart_and_another_node()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var session = await api.RegisterAsync();
        var bye = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/logout", token: session.Token);
        Assert.Equal("Logged out successfully", bye.GetProperty("message").GetString());
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/auth/me", session.Token), HttpStatusCode.Unauthorized);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/auth/refresh", new { refresh_token = session.RefreshToken }), HttpStatusCode.Unauthorized);

        await using var otherNode = app.Sibling();
        await ApiClient.AssertProblemAsync(await otherNode.Api().GetAsync("/api/v1/auth/me", session.Token), HttpStatusCode.Unauthorized);
    }

    [DbFact]
    public async Task Refresh_rotates_and_the_old_refresh_token_stops_working()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var session = await api.RegisterAsync();
        var refreshed = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/refresh", new { refresh_token = session.RefreshToken });
        var next = refreshed.GetProperty("refresh_token").GetString();
        Assert.NotEqual(session.RefreshToken, next);
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/auth/me", token: refreshed.GetProperty("token").GetString());
        var third = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/refresh", new { refresh_token = next });
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/auth/me", token: third.GetProperty("token").GetString());
        // A refresh token that was never issued is refused without ending the family (it proves no leak).
        var guessed = session.RefreshToken[..33] + new string('x', 43);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/auth/refresh", new { refresh_token = guessed }), HttpStatusCode.Unauthorized);
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/auth/me", token: third.GetProperty("token").GetString());
    }

    [DbFact]
    public async Task Forged_unsigned_and_foreign_tokens_are_401()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var session = await api.RegisterAsync();
        var parts = session.Token.Split('.');
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var payload = Encoding.UTF8.GetString(Convert.FromBase64String(parts[1].Replace('-', '+').Replace('_', '/').PadRight((parts[1].Length + 3) / 4 * 4, '=')));
        var asAdmin = payload.Replace("\"customer\"", "\"admin\"", StringComparison.Ordinal);
        string[] forged =
        [
            $"{B64("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{B64(asAdmin)}.",
            $"{parts[0]}.{B64(asAdmin)}.{parts[2]}",
            session.Token[..^4] + "AAAA",
            "not-a-jwt",
        ];
        foreach (var token in forged)
        {
            await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/auth/me", token), HttpStatusCode.Unauthorized);
        }
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/accounts", null), HttpStatusCode.Unauthorized);
    }

    [DbFact]
    public async Task The_bootstrap_admin_exists_and_customers_cannot_use_admin_endpoints()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var me = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/auth/me", token: admin.Token);
        Assert.Equal("admin", me.GetProperty("role").GetString());
        var customer = await api.RegisterAsync();
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/ledger/verify", customer.Token), HttpStatusCode.Forbidden);
    }
}

public sealed class IdentityTestsOnSqlite() : IdentityTests(DatabaseKind.Sqlite);

public sealed class IdentityTestsOnPostgres() : IdentityTests(DatabaseKind.Postgres), IPostgresTests;
