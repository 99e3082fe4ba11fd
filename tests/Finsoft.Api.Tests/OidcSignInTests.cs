using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace Finsoft.Api.Tests;

/// <summary>
/// Sign-in through an external provider, end to end over HTTP: a real OpenID Connect provider (OpenIddict) on a loopback port,
/// the browser's redirects followed by hand (cookies kept, as a browser keeps them), and every check of the provider's answer.
/// </summary>
public abstract class OidcSignInTests(DatabaseKind kind)
{
    private const string Provider = "acme";

    private sealed record World(TestApp App, ApiClient Browser, OidcProvider Idp) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await Idp.DisposeAsync();
        }
    }

    private async Task<World> StartAsync()
    {
        var idp = await OidcProvider.StartAsync();
        var app = await TestApp.StartAsync(kind, new Dictionary<string, string?>
        {
            [$"Finsoft:Oidc:Providers:{Provider}:Authority"] = idp.Authority,
            [$"Finsoft:Oidc:Providers:{Provider}:ClientId"] = OidcProvider.ClientId,
            [$"Finsoft:Oidc:Providers:{Provider}:ClientSecret"] = OidcProvider.ClientSecret,
            [$"Finsoft:Oidc:Providers:{Provider}:DisplayName"] = "Acme ID",
            [$"Finsoft:Oidc:Providers:{Provider}:RequireHttpsMetadata"] = "false",
        });
        return new World(app, app.Api(), idp);
    }

    private static readonly HttpClient AtTheProvider = new(new HttpClientHandler { AllowAutoRedirect = false });

    /// <summary>Finsoft's login → the provider (who signs the person in) → the callback; returns the callback's response.</summary>
    private static async Task<HttpResponseMessage> ToCallbackAsync(World w, Func<Uri, Uri>? tamper = null)
    {
        using var start = await w.Browser.GetAsync($"/api/v1/auth/oidc/{Provider}/login", null);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        Assert.StartsWith(w.Idp.Authority, start.Headers.Location!.ToString(), StringComparison.Ordinal);
        using var atProvider = await AtTheProvider.GetAsync(start.Headers.Location);
        Assert.True(atProvider.StatusCode == HttpStatusCode.Redirect, await atProvider.Content.ReadAsStringAsync());
        var back = atProvider.Headers.Location!;
        Assert.Equal($"/api/v1/auth/oidc/{Provider}/callback", back.AbsolutePath);
        back = tamper?.Invoke(back) ?? back;
        return await w.Browser.GetAsync(back.PathAndQuery, null);
    }

    /// <summary>The whole flow as a browser goes through it; returns the answer of …/complete.</summary>
    private static async Task<HttpResponseMessage> SignInAsync(World w, OidcProvider.ExternalUser user)
    {
        w.Idp.NextUser = user;
        using var callback = await ToCallbackAsync(w);
        Assert.True(callback.StatusCode == HttpStatusCode.Redirect, await callback.Content.ReadAsStringAsync());
        Assert.Equal($"/api/v1/auth/oidc/{Provider}/complete", callback.Headers.Location!.ToString());
        return await w.Browser.GetAsync(callback.Headers.Location.ToString(), null);
    }

    private static async Task<JsonElement> SignedInAsync(World w, OidcProvider.ExternalUser user)
    {
        using var complete = await SignInAsync(w, user);
        var body = await ApiClient.BodyAsync(complete);
        Assert.True(complete.StatusCode == HttpStatusCode.OK, $"{body}\n{w.App.ServerLog.Text}");
        return body;
    }

    [DbFact]
    public async Task A_new_person_becomes_a_customer_and_signs_in_again_as_the_same_user()
    {
        await using var w = await StartAsync();
        var providers = await w.Browser.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/auth/oidc/providers");
        Assert.Equal("Acme ID", providers.EnumerateArray().Single().GetProperty("display_name").GetString());

        var person = new OidcProvider.ExternalUser("acme-subject-1", "Ana.Acme@example.com", true, "Ana Acme");
        var first = await SignedInAsync(w, person);
        Assert.Equal("S256", w.Idp.LastCodeChallengeMethod);
        var me = await w.Browser.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/auth/me", token: first.GetProperty("token").GetString());
        Assert.Equal("ana.acme@example.com", me.GetProperty("email").GetString());
        Assert.Equal("customer", me.GetProperty("role").GetString());
        Assert.Equal("Ana Acme", me.GetProperty("full_name").GetString());
        Assert.False(string.IsNullOrEmpty(first.GetProperty("refresh_token").GetString()));

        // Linked by the provider's subject, not the email: a changed email at the provider still signs in as the same user.
        var again = await SignedInAsync(w, person with { Email = "ana.new@example.com" });
        Assert.Equal(first.GetProperty("user").GetProperty("id").GetGuid(), again.GetProperty("user").GetProperty("id").GetGuid());

        // The flow's cookie is spent: …/complete a second time has nothing to finish.
        using var replay = await w.Browser.GetAsync($"/api/v1/auth/oidc/{Provider}/complete", null);
        await ApiClient.AssertProblemAsync(replay, HttpStatusCode.Unauthorized);
        await ApiClient.AssertProblemAsync(await w.Browser.GetAsync("/api/v1/auth/oidc/nobody/login", null), HttpStatusCode.NotFound);
    }

    [DbFact]
    public async Task An_existing_user_is_linked_only_by_a_verified_email_and_its_own_password()
    {
        await using var w = await StartAsync();
        var local = await w.Browser.RegisterAsync("maria@example.com");

        // The provider does not vouch for the address: no link, no new account.
        using (var unverified = await SignInAsync(w, new("acme-maria", "maria@example.com", false, "Maria")))
        {
            await ApiClient.AssertProblemAsync(unverified, HttpStatusCode.UnprocessableEntity);
        }

        var asked = await SignedInAsync(w, new("acme-maria", "maria@example.com", true, "Maria"));
        Assert.True(asked.GetProperty("link_required").GetBoolean());
        var linkToken = asked.GetProperty("link_token").GetString();
        Assert.False(asked.TryGetProperty("token", out var _));
        await ApiClient.AssertProblemAsync(await w.Browser.PostAsync("/api/v1/auth/oidc/link", new { link_token = linkToken, password = "wrong-password-entirely" }),
            HttpStatusCode.Unauthorized);
        await ApiClient.AssertProblemAsync(await w.Browser.PostAsync("/api/v1/auth/oidc/link", new { link_token = linkToken + "x", password = local.Password }),
            HttpStatusCode.Unauthorized);
        var linked = await w.Browser.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/oidc/link", new { link_token = linkToken, password = local.Password });
        Assert.Equal(local.UserId, linked.GetProperty("user").GetProperty("id").GetGuid());
        await w.Browser.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, "/api/v1/auth/oidc/link", new { link_token = linkToken, password = local.Password });

        // From now on the provider signs in as that user directly.
        var direct = await SignedInAsync(w, new("acme-maria", "maria@example.com", true, "Maria"));
        Assert.Equal(local.UserId, direct.GetProperty("user").GetProperty("id").GetGuid());
        var audit = await w.Browser.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/admin/audit?event=user.external_login_linked",
            token: (await w.Browser.AdminAsync()).Token);
        Assert.Equal(local.UserId, audit.EnumerateArray().Single().GetProperty("subject_id").GetGuid());

        // With MFA on, the provider is the first factor only: the second is asked for as at login.
        var token = direct.GetProperty("token").GetString();
        var secret = Totp.FromBase32((await w.Browser.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/mfa/enable", new { }, token))
            .GetProperty("secret").GetString()!);
        var step = Totp.StepAt(DateTimeOffset.UtcNow);
        await w.Browser.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/mfa/verify", new { code = Totp.CodeAt(secret, step) }, token);
        var challenged = await SignedInAsync(w, new("acme-maria", "maria@example.com", true, "Maria"));
        Assert.True(challenged.GetProperty("mfa_required").GetBoolean());
        Assert.False(challenged.TryGetProperty("token", out var _));
        var second = await w.Browser.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/mfa/login",
            new { mfa_token = challenged.GetProperty("mfa_token").GetString(), code = Totp.CodeAt(secret, step + 1) });
        Assert.Equal(local.UserId, second.GetProperty("user").GetProperty("id").GetGuid());
    }

    [DbFact]
    public async Task Tampered_state_a_missing_correlation_cookie_and_forged_ID_tokens_are_refused()
    {
        await using var w = await StartAsync();
        var person = new OidcProvider.ExternalUser("acme-subject-9", "nine@example.com", true, "Nine");
        w.Idp.NextUser = person;

        // The state altered on its way back.
        using (var tampered = await ToCallbackAsync(w, back => new Uri(back.ToString().Replace("state=", "state=x", StringComparison.Ordinal))))
        {
            await ApiClient.AssertProblemAsync(tampered, HttpStatusCode.Unauthorized);
        }

        // A valid answer delivered to another browser (no correlation cookie): a login CSRF, refused.
        using (var start = await w.Browser.GetAsync($"/api/v1/auth/oidc/{Provider}/login", null))
        using (var atProvider = await AtTheProvider.GetAsync(start.Headers.Location))
        {
            var elsewhere = w.App.Api();
            await ApiClient.AssertProblemAsync(await elsewhere.GetAsync(atProvider.Headers.Location!.PathAndQuery, null), HttpStatusCode.Unauthorized);
        }

        // An ID token signed by someone else's key, then one signed by the provider but for another nonce, then for another client.
        using var forger = RSA.Create(2048);
        var forgeries = new Func<string, string>[]
        {
            token => OidcProvider.Resign(token, new RsaSecurityKey(forger) { KeyId = w.Idp.SigningKey.KeyId }, _ => { }),
            token => OidcProvider.Resign(token, w.Idp.SigningKey, claims => claims["nonce"] = "not-the-nonce-finsoft-sent"),
            token => OidcProvider.Resign(token, w.Idp.SigningKey, claims => claims["aud"] = "another-client"),
        };
        foreach (var forge in forgeries)
        {
            w.Idp.ForgeIdToken = forge;
            using var forged = await ToCallbackAsync(w);
            await ApiClient.AssertProblemAsync(forged, HttpStatusCode.Unauthorized);
        }
        Assert.Equal(0, await w.App.WithDbAsync(db => Task.FromResult(db.ExternalLogins.Count())));
        // Each for its own reason (the log has them; the response only says the sign-in could not be verified).
        foreach (var reason in new[] { "message.State", "Correlation failed", "IDX10511" /* signature */, "IDX21323" /* nonce */, "IDX10214" /* audience */ })
        {
            Assert.Contains(reason, w.App.ServerLog.Text, StringComparison.Ordinal);
        }

        // The provider's own token, untouched, still works: the refusals were the forgeries'.
        w.Idp.ForgeIdToken = null;
        Assert.Equal("nine@example.com", (await SignedInAsync(w, person)).GetProperty("user").GetProperty("email").GetString());
    }
}

public sealed class OidcSignInTestsOnSqlite() : OidcSignInTests(DatabaseKind.Sqlite);

public sealed class OidcSignInTestsOnPostgres() : OidcSignInTests(DatabaseKind.Postgres), IPostgresTests;
