using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Finsoft.Api.Features.Psd2;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Finsoft.Api.Tests;

/// <summary>PSD2 account information over HTTP: TPPs with client-credentials tokens, consents a customer authorises, and what they let a TPP read.</summary>
public abstract class Psd2Tests(DatabaseKind kind)
{
    private const string Redirect = "https://tpp.example/callback";

    public sealed record Tpp(Guid Id, string ClientId, string Secret, string Token);

    private sealed record World(TestApp App, ApiClient Api, TestClock Clock, ApiClient.Session Admin, ApiClient.Session Customer, Guid Wallet, Guid Savings);

    private async Task<World> StartAsync()
    {
        var clock = new TestClock(DateTimeOffset.UtcNow);
        var app = await TestApp.StartAsync(kind, services: s => s.AddSingleton<TimeProvider>(clock));
        var api = app.Api();
        var admin = await api.AdminAsync();
        var customer = await api.RegisterAsync();
        var wallet = await api.CreateAccountAsync(customer.Token);
        var savings = await api.CreateAccountAsync(customer.Token);
        await api.DepositAsync(admin.Token, wallet, "250.00");
        return new World(app, api, clock, admin, customer, wallet, savings);
    }

    public static async Task<Tpp> RegisterTppAsync(ApiClient api, string adminToken, string name = "Budget App")
    {
        var registered = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/psd2/tpps", new { name, redirect_uris = new[] { Redirect } }, adminToken);
        var (clientId, secret) = (registered.GetProperty("client_id").GetString()!, registered.GetProperty("client_secret").GetString()!);
        using var response = await TokenAsync(api, clientId, secret);
        var body = await ApiClient.BodyAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.True(body.GetProperty("expires_in").GetInt32() > 0);
        return new Tpp(registered.GetProperty("id").GetGuid(), clientId, secret, body.GetProperty("access_token").GetString()!);
    }

    /// <summary>A new token for the TPP, as it asks for one when the last expired (a test's clock moves days at a time).</summary>
    private static async Task<Tpp> RenewedAsync(ApiClient api, Tpp tpp)
    {
        using var response = await TokenAsync(api, tpp.ClientId, tpp.Secret);
        return tpp with { Token = (await ApiClient.BodyAsync(response)).GetProperty("access_token").GetString()! };
    }

    private static Task<HttpResponseMessage> TokenAsync(ApiClient api, string clientId, string secret, string grant = "client_credentials")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/psd2/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", grant)]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));
        return api.Http.SendAsync(request);
    }

    /// <summary>A TPP's call, with the PSD2 headers it sends.</summary>
    private static Task<HttpResponseMessage> TppAsync(ApiClient api, HttpMethod method, string path, string token, Guid? consent = null,
        object? body = null, string? psuAddress = null, string? redirect = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (consent is { } id)
        {
            request.Headers.Add("Consent-ID", id.ToString());
        }
        if (psuAddress is not null)
        {
            request.Headers.Add("PSU-IP-Address", psuAddress);
        }
        if (redirect is not null)
        {
            request.Headers.Add("TPP-Redirect-URI", redirect);
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType());
        }
        return api.Http.SendAsync(request);
    }

    private static async Task<JsonElement> ExpectTppAsync(ApiClient api, HttpStatusCode status, HttpMethod method, string path, string token,
        Guid? consent = null, object? body = null, string? psuAddress = null, string? errorCode = null)
    {
        using var response = await TppAsync(api, method, path, token, consent, body, psuAddress);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{method} {path}: expected {(int)status}, got {(int)response.StatusCode}: {text}");
        var parsed = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        if (errorCode is not null)
        {
            Assert.Equal(errorCode, parsed.GetProperty("error_code").GetString());
        }
        return parsed;
    }

    private static object Ask(Guid[] accounts, Guid[] balances, Guid[] transactions, DateOnly until, int frequency = 4, bool recurring = true) => new
    {
        access = new { accounts, balances, transactions }, recurring_indicator = recurring, valid_until = until.ToString("yyyy-MM-dd"), frequency_per_day = frequency,
    };

    private static DateOnly Today(World w) => DateOnly.FromDateTime(w.Clock.GetUtcNow().UtcDateTime);

    private static async Task<Guid> AuthorisedConsentAsync(World w, Tpp tpp, object ask)
    {
        var created = await ExpectTppAsync(w.Api, HttpStatusCode.Created, HttpMethod.Post, "/api/v1/psd2/consents", tpp.Token, body: ask);
        var id = created.GetProperty("consent_id").GetGuid();
        await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/psd2/consents/{id}/authorise", token: w.Customer.Token);
        return id;
    }

    [DbFact]
    public async Task A_consent_is_asked_authorised_and_grants_only_the_accounts_and_kinds_it_names()
    {
        var w = await StartAsync();
        await using var _ = w.App;
        var tpp = await RegisterTppAsync(w.Api, w.Admin.Token);
        await w.Api.TransferAsync(w.Customer.Token, w.Wallet, w.Savings, "40.00");

        using var asked = await TppAsync(w.Api, HttpMethod.Post, "/api/v1/psd2/consents", tpp.Token,
            body: Ask([w.Wallet], [w.Wallet], [w.Savings], Today(w).AddDays(30)), redirect: Redirect);
        var created = await ApiClient.BodyAsync(asked);
        Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        Assert.Equal("received", created.GetProperty("consent_status").GetString());
        var consent = created.GetProperty("consent_id").GetGuid();
        Assert.EndsWith($"/api/v1/psd2/consents/{consent}/authorise", created.GetProperty("_links").GetProperty("sca_redirect").GetProperty("href").GetString(),
            StringComparison.Ordinal);

        // Not yet authorised: the TPP reads nothing, and the consent says why.
        await ExpectTppAsync(w.Api, HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/v1/psd2/accounts", tpp.Token, consent, errorCode: ConsentGate.Invalid);
        var validity = await ExpectTppAsync(w.Api, HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/psd2/consents/{consent}/validate", tpp.Token);
        Assert.False(validity.GetProperty("valid").GetBoolean());
        Assert.Equal(ConsentGate.Invalid, validity.GetProperty("reasons")[0].GetProperty("code").GetString());

        // The customer sees what it is asked, authorises it, and is sent back to the TPP.
        var shown = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/psd2/consents/{consent}", token: w.Customer.Token);
        Assert.Equal("Budget App", shown.GetProperty("tpp").GetProperty("name").GetString());
        var authorised = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/psd2/consents/{consent}/authorise", token: w.Customer.Token);
        Assert.Equal("valid", authorised.GetProperty("consent_status").GetString());
        Assert.Equal($"{Redirect}?consent_id={consent}", authorised.GetProperty("_links").GetProperty("tpp_redirect").GetProperty("href").GetString());
        await w.Api.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/v1/psd2/consents/{consent}/authorise", token: w.Customer.Token);
        Assert.True((await ExpectTppAsync(w.Api, HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/psd2/consents/{consent}/validate", tpp.Token))
            .GetProperty("valid").GetBoolean());

        // The account list: both named accounts, each with links to what the consent grants of it; a third wallet is not there.
        var other = await w.Api.CreateAccountAsync(w.Customer.Token);
        var accounts = (await ExpectTppAsync(w.Api, HttpStatusCode.OK, HttpMethod.Get, "/api/v1/psd2/accounts", tpp.Token, consent))
            .GetProperty("accounts").EnumerateArray().ToList();
        Assert.Equal(new[] { w.Wallet, w.Savings }.Order(), accounts.Select(a => a.GetProperty("resource_id").GetGuid()).Order());
        var wallet = accounts.Single(a => a.GetProperty("resource_id").GetGuid() == w.Wallet).GetProperty("_links");
        Assert.True(wallet.TryGetProperty("balances", out var _));
        Assert.False(wallet.TryGetProperty("transactions", out var _));

        var balances = await ExpectTppAsync(w.Api, HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/psd2/accounts/{w.Wallet}/balances", tpp.Token, consent,
            psuAddress: "203.0.113.7");
        Assert.Equal("210.00", balances.GetProperty("balances")[0].GetProperty("balance_amount").GetProperty("value").GetString());
        var moves = await ExpectTppAsync(w.Api, HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/psd2/accounts/{w.Savings}/transactions", tpp.Token, consent,
            psuAddress: "203.0.113.7");
        Assert.Equal("40.00", moves.EnumerateArray().Single().GetProperty("amount").GetString());

        // Kinds and accounts the consent does not grant.
        await ExpectTppAsync(w.Api, HttpStatusCode.Forbidden, HttpMethod.Get, $"/api/v1/psd2/accounts/{w.Savings}/balances", tpp.Token, consent,
            psuAddress: "203.0.113.7", errorCode: ConsentGate.Invalid);
        await ExpectTppAsync(w.Api, HttpStatusCode.Forbidden, HttpMethod.Get, $"/api/v1/psd2/accounts/{w.Wallet}/transactions", tpp.Token, consent,
            psuAddress: "203.0.113.7", errorCode: ConsentGate.Invalid);
        await ExpectTppAsync(w.Api, HttpStatusCode.Forbidden, HttpMethod.Get, $"/api/v1/psd2/accounts/{other}/balances", tpp.Token, consent,
            psuAddress: "203.0.113.7", errorCode: ConsentGate.Invalid);
        await ExpectTppAsync(w.Api, HttpStatusCode.BadRequest, HttpMethod.Get, "/api/v1/psd2/accounts", tpp.Token, errorCode: ConsentGate.FormatError);

        // Every access is audited, the refused ones too.
        var audited = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/admin/audit?event=psd2.accessed", token: w.Admin.Token);
        Assert.Equal(3, audited.GetArrayLength());
        var refused = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/admin/audit?event=psd2.access_refused", token: w.Admin.Token);
        Assert.True(refused.GetArrayLength() >= 5);

        // The customer lists its consents.
        var mine = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/users/me/consents", token: w.Customer.Token);
        Assert.Equal(consent, mine.EnumerateArray().Single().GetProperty("consent_id").GetGuid());
        // Admins list everyone's, by customer and status; a customer may not.
        var theirs = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/psd2/consents?user_id={w.Customer.UserId}&status=valid",
            token: w.Admin.Token);
        Assert.Equal(consent, theirs.EnumerateArray().Single().GetProperty("consent_id").GetGuid());
        Assert.Empty((await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/psd2/consents?user_id={w.Customer.UserId}&status=expired",
            token: w.Admin.Token)).EnumerateArray());
        await ApiClient.AssertProblemAsync(await w.Api.GetAsync("/api/v1/psd2/consents?status=nonsense", w.Admin.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await w.Api.GetAsync("/api/v1/psd2/consents", w.Customer.Token), HttpStatusCode.Forbidden);
    }

    [DbFact]
    public async Task A_TPP_without_a_consent_or_with_another_customers_or_TPPs_gets_nothing()
    {
        var w = await StartAsync();
        await using var _ = w.App;
        var tpp = await RegisterTppAsync(w.Api, w.Admin.Token);
        var rival = await RegisterTppAsync(w.Api, w.Admin.Token, "Rival");
        var stranger = await w.Api.RegisterAsync();
        var theirs = await w.Api.CreateAccountAsync(stranger.Token);

        // A customer may authorise only accounts it holds: nothing changes when it names another's.
        var asked = await ExpectTppAsync(w.Api, HttpStatusCode.Created, HttpMethod.Post, "/api/v1/psd2/consents", tpp.Token,
            body: Ask([w.Wallet, theirs], [], [], Today(w).AddDays(10)));
        var foreign = asked.GetProperty("consent_id").GetGuid();
        await w.Api.ExpectAsync(HttpStatusCode.UnprocessableEntity, HttpMethod.Post, $"/api/v1/psd2/consents/{foreign}/authorise", token: w.Customer.Token);
        Assert.Equal("received", (await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/psd2/consents/{foreign}", token: w.Customer.Token))
            .GetProperty("consent_status").GetString());

        var consent = await AuthorisedConsentAsync(w, tpp, Ask([w.Wallet], [w.Wallet], [w.Wallet], Today(w).AddDays(10)));
        // Another TPP naming this consent: unknown to it.
        await ExpectTppAsync(w.Api, HttpStatusCode.Forbidden, HttpMethod.Get, $"/api/v1/psd2/accounts/{w.Wallet}/balances", rival.Token, consent,
            errorCode: ConsentGate.Unknown);
        await ExpectTppAsync(w.Api, HttpStatusCode.NotFound, HttpMethod.Get, $"/api/v1/psd2/consents/{consent}", rival.Token);
        await ExpectTppAsync(w.Api, HttpStatusCode.NotFound, HttpMethod.Delete, $"/api/v1/psd2/consents/{consent}", rival.Token);
        // A consent that does not exist.
        await ExpectTppAsync(w.Api, HttpStatusCode.Forbidden, HttpMethod.Get, "/api/v1/psd2/accounts", tpp.Token, Guid.NewGuid(), errorCode: ConsentGate.Unknown);
        // Another customer neither sees nor revokes it once it is authorised.
        await w.Api.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, $"/api/v1/psd2/consents/{consent}", token: stranger.Token);
        await w.Api.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Delete, $"/api/v1/users/me/consents/{consent}", token: stranger.Token);
        await w.Api.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Post, $"/api/v1/psd2/consents/{consent}/authorise", token: stranger.Token);

        // Tokens are not interchangeable: a user's is refused on the TPP endpoints, a TPP's everywhere else.
        await ExpectTppAsync(w.Api, HttpStatusCode.Forbidden, HttpMethod.Get, "/api/v1/psd2/accounts", w.Customer.Token, consent);
        await ExpectTppAsync(w.Api, HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/v1/accounts", tpp.Token);
        await ExpectTppAsync(w.Api, HttpStatusCode.Forbidden, HttpMethod.Post, $"/api/v1/psd2/consents/{consent}/authorise", tpp.Token);
        await ExpectTppAsync(w.Api, HttpStatusCode.Forbidden, HttpMethod.Get, "/api/v1/psd2/tpps", tpp.Token);

        // When the customer no longer holds the account (closed here), the consent stops reaching it.
        var closing = await AuthorisedConsentAsync(w, tpp, Ask([], [w.Savings], [], Today(w).AddDays(10)));
        await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Delete, $"/api/v1/accounts/{w.Savings}", token: w.Customer.Token);
        await ExpectTppAsync(w.Api, HttpStatusCode.Forbidden, HttpMethod.Get, $"/api/v1/psd2/accounts/{w.Savings}/balances", tpp.Token, closing,
            errorCode: ConsentGate.ResourceUnknown);
        var validity = await ExpectTppAsync(w.Api, HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/psd2/consents/{closing}/validate", tpp.Token);
        Assert.Equal(ConsentGate.ResourceUnknown, validity.GetProperty("reasons").EnumerateArray().Single().GetProperty("code").GetString());
        Assert.Empty((await ExpectTppAsync(w.Api, HttpStatusCode.OK, HttpMethod.Get, "/api/v1/psd2/accounts", tpp.Token, closing)).GetProperty("accounts").EnumerateArray());
    }

    [DbFact]
    public async Task Accesses_without_the_customer_are_limited_per_account_and_day()
    {
        var w = await StartAsync();
        await using var _ = w.App;
        var tpp = await RegisterTppAsync(w.Api, w.Admin.Token);
        var consent = await AuthorisedConsentAsync(w, tpp, Ask([], [w.Wallet, w.Savings], [], Today(w).AddDays(10), frequency: 2));
        var wallet = $"/api/v1/psd2/accounts/{w.Wallet}/balances";
        // Four at once against an allowance of two: exactly two get through, whoever makes the day's count first.
        var racing = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => TppAsync(w.Api, HttpMethod.Get, wallet, tpp.Token, consent)));
        Assert.Equal(2, racing.Count(r => r.StatusCode == HttpStatusCode.OK));
        var refused = racing.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(2, refused.Count);
        Assert.Equal(ConsentGate.AccessExceeded, (await ApiClient.BodyAsync(refused[0])).GetProperty("error_code").GetString());
        Assert.True(refused[0].Headers.RetryAfter?.Delta > TimeSpan.Zero);
        foreach (var response in racing)
        {
            response.Dispose();
        }
        // The customer present does not count; another account has its own allowance; a new day starts afresh.
        await ExpectTppAsync(w.Api, HttpStatusCode.OK, HttpMethod.Get, wallet, tpp.Token, consent, psuAddress: "2001:db8::1");
        await ExpectTppAsync(w.Api, HttpStatusCode.BadRequest, HttpMethod.Get, wallet, tpp.Token, consent, psuAddress: "not-an-address", errorCode: ConsentGate.FormatError);
        await ExpectTppAsync(w.Api, HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/psd2/accounts/{w.Savings}/balances", tpp.Token, consent);
        w.Clock.Advance(TimeSpan.FromDays(1));
        await ExpectTppAsync(w.Api, HttpStatusCode.Unauthorized, HttpMethod.Get, wallet, tpp.Token, consent); // its token lapsed meanwhile
        tpp = await RenewedAsync(w.Api, tpp);
        await ExpectTppAsync(w.Api, HttpStatusCode.OK, HttpMethod.Get, wallet, tpp.Token, consent);
    }

    [DbFact]
    public async Task A_consent_expires_after_its_day_and_ends_when_either_side_ends_it()
    {
        var w = await StartAsync();
        await using var _ = w.App;
        var tpp = await RegisterTppAsync(w.Api, w.Admin.Token);
        var lapsing = await AuthorisedConsentAsync(w, tpp, Ask([w.Wallet], [], [], Today(w), frequency: 1, recurring: false));
        var revoked = await AuthorisedConsentAsync(w, tpp, Ask([w.Wallet], [], [], Today(w).AddDays(5)));
        var terminated = await AuthorisedConsentAsync(w, tpp, Ask([w.Wallet], [], [], Today(w).AddDays(5)));
        var unanswered = (await ExpectTppAsync(w.Api, HttpStatusCode.Created, HttpMethod.Post, "/api/v1/psd2/consents", tpp.Token,
            body: Ask([w.Wallet], [], [], Today(w).AddDays(5)))).GetProperty("consent_id").GetGuid();

        // Revoked by the customer, terminated by the TPP: both final.
        await w.Api.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"/api/v1/users/me/consents/{revoked}", token: w.Customer.Token);
        await w.Api.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Delete, $"/api/v1/psd2/consents/{revoked}", token: w.Customer.Token);
        await ExpectTppAsync(w.Api, HttpStatusCode.NoContent, HttpMethod.Delete, $"/api/v1/psd2/consents/{terminated}", tpp.Token);
        Assert.Equal("revokedByPsu", (await ExpectTppAsync(w.Api, HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/psd2/consents/{revoked}", tpp.Token))
            .GetProperty("consent_status").GetString());
        Assert.Equal("terminatedByTpp", (await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/psd2/consents/{terminated}", token: w.Customer.Token))
            .GetProperty("consent_status").GetString());
        await ExpectTppAsync(w.Api, HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/v1/psd2/accounts", tpp.Token, revoked, errorCode: ConsentGate.Invalid);
        await ExpectTppAsync(w.Api, HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/v1/psd2/accounts", tpp.Token, terminated, errorCode: ConsentGate.Invalid);

        // Its last day over, a consent is refused at once, and the job then says so in its status.
        await ExpectTppAsync(w.Api, HttpStatusCode.OK, HttpMethod.Get, "/api/v1/psd2/accounts", tpp.Token, lapsing);
        w.Clock.Advance(TimeSpan.FromDays(1));
        tpp = await RenewedAsync(w.Api, tpp);
        await ExpectTppAsync(w.Api, HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/v1/psd2/accounts", tpp.Token, lapsing, errorCode: ConsentGate.Expired);
        // The hosted job may have run meanwhile (each minute): the status is what counts, not who set it.
        await w.App.Services.GetRequiredService<ConsentExpiry>().ExpireAsync(CancellationToken.None);
        Assert.Equal("expired", (await ExpectTppAsync(w.Api, HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/psd2/consents/{lapsing}", tpp.Token))
            .GetProperty("consent_status").GetString());
        w.Clock.Advance(TimeSpan.FromDays(5));
        tpp = await RenewedAsync(w.Api, tpp);
        var customer = await w.Api.LoginAsync(w.Customer.Email, w.Customer.Password);
        await w.Api.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/v1/psd2/consents/{unanswered}/authorise", token: customer.Token);
        await w.App.Services.GetRequiredService<ConsentExpiry>().ExpireAsync(CancellationToken.None); // the one never authorised; ended ones stay as they ended
        Assert.Equal("expired", (await ExpectTppAsync(w.Api, HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/psd2/consents/{unanswered}", tpp.Token))
            .GetProperty("consent_status").GetString());
        Assert.Equal("revokedByPsu", (await ExpectTppAsync(w.Api, HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/psd2/consents/{revoked}", tpp.Token))
            .GetProperty("consent_status").GetString());
        // Expired before anyone authorised it, it is nobody's: no customer sees it any more.
        await w.Api.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, $"/api/v1/psd2/consents/{unanswered}", token: customer.Token);
        var reasons = (await ExpectTppAsync(w.Api, HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/psd2/consents/{lapsing}/validate", tpp.Token))
            .GetProperty("reasons");
        Assert.Equal(ConsentGate.Expired, reasons[0].GetProperty("code").GetString());
    }

    [DbFact]
    public async Task Consents_and_TPP_credentials_refuse_bad_input_and_a_revoked_TPP_is_shut_out()
    {
        var w = await StartAsync();
        await using var _ = w.App;
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync("/api/v1/psd2/tpps", new { name = "x", redirect_uris = new[] { "http://tpp.example/cb" } }, w.Admin.Token),
            HttpStatusCode.UnprocessableEntity);
        var tpp = await RegisterTppAsync(w.Api, w.Admin.Token);
        var listed = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/psd2/tpps", token: w.Admin.Token);
        Assert.False(listed[0].TryGetProperty("client_secret", out var _));

        using (var wrong = await TokenAsync(w.Api, tpp.ClientId, tpp.Secret + "x"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Equal("invalid_client", (await ApiClient.BodyAsync(wrong)).GetProperty("error").GetString());
        }
        using (var grant = await TokenAsync(w.Api, tpp.ClientId, tpp.Secret, "password"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, grant.StatusCode);
            Assert.Equal("unsupported_grant_type", (await ApiClient.BodyAsync(grant)).GetProperty("error").GetString());
        }

        // Malformed credentials are refused, never a 500: a token shaped like an encrypted JWT, a multipart token request.
        using (var jwe = await TppAsync(w.Api, HttpMethod.Get, "/api/v1/psd2/accounts", "eyJhbGciOiJub25lIn0.A.AAAA.AAAA.AAAA"))
        {
            await ApiClient.AssertProblemAsync(jwe, HttpStatusCode.Unauthorized);
        }
        using (var multipart = new HttpRequestMessage(HttpMethod.Post, "/api/v1/psd2/token")
        {
            Content = new StringContent("--x\r\n", Encoding.UTF8, "multipart/form-data"),
        })
        using (var refused = await w.Api.Http.SendAsync(multipart))
        {
            await ApiClient.AssertProblemAsync(refused, HttpStatusCode.UnsupportedMediaType);
        }

        var today = Today(w);
        foreach (var bad in new[]
        {
            Ask([], [], [], today.AddDays(5)),
            Ask([w.Wallet], [], [], today.AddDays(-1)),
            Ask([w.Wallet], [], [], today.AddDays(181)),
            Ask([w.Wallet], [], [], today.AddDays(5), frequency: 5),
            Ask([w.Wallet], [], [], today.AddDays(5), frequency: 2, recurring: false),
        })
        {
            using var refused = await TppAsync(w.Api, HttpMethod.Post, "/api/v1/psd2/consents", tpp.Token, body: bad);
            await ApiClient.AssertProblemAsync(refused, HttpStatusCode.UnprocessableEntity);
        }
        using (var unregistered = await TppAsync(w.Api, HttpMethod.Post, "/api/v1/psd2/consents", tpp.Token, body: Ask([w.Wallet], [], [], today), redirect: "https://evil.example/"))
        {
            await ApiClient.AssertProblemAsync(unregistered, HttpStatusCode.UnprocessableEntity);
        }
        using (var malformed = await TppAsync(w.Api, HttpMethod.Post, "/api/v1/psd2/consents", tpp.Token, body: new { access = new { accounts = new[] { "nope" } } }))
        {
            await ApiClient.AssertProblemAsync(malformed, HttpStatusCode.BadRequest);
        }

        var consent = await AuthorisedConsentAsync(w, tpp, Ask([w.Wallet], [], [], today.AddDays(5)));
        await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Delete, $"/api/v1/psd2/tpps/{tpp.Id}", token: w.Admin.Token);
        await ExpectTppAsync(w.Api, HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/v1/psd2/accounts", tpp.Token, consent);
        using (var after = await TokenAsync(w.Api, tpp.ClientId, tpp.Secret))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        }
        Assert.Equal("terminatedByTpp", (await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/psd2/consents/{consent}", token: w.Customer.Token))
            .GetProperty("consent_status").GetString());
    }
}

public sealed class Psd2TestsOnSqlite() : Psd2Tests(DatabaseKind.Sqlite);

public sealed class Psd2TestsOnPostgres() : Psd2Tests(DatabaseKind.Postgres), IPostgresTests;
