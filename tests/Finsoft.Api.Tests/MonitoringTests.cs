using System.Net;
using System.Text.Json;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Tests;

/// <summary>
/// Transaction monitoring over HTTP, in the engine: each rule lets a movement through, holds it for an analyst or blocks
/// it, as the admin's rules say; the decision is on the transaction; customer risk sets the hard limit.
/// </summary>
public abstract class MonitoringTests(DatabaseKind kind)
{
    /// <summary>Tight rules, so a handful of requests reach each one.</summary>
    private static object TightRules(int hourCount = 3) => new
    {
        review_score = 50, block_score = 90,
        hard_limit = new Dictionary<string, object> { ["low"] = new Dictionary<string, string> { ["*"] = "1000.00" },
            ["medium"] = new Dictionary<string, string> { ["*"] = "100.00" }, ["high"] = new Dictionary<string, string> { ["*"] = "10.00" } },
        velocity = new { hour_count = hourCount, hour_score = 60, day_count = 1000, day_score = 10, day_amount = new Dictionary<string, string> { ["*"] = "100000.00" }, amount_score = 10 },
        new_destination = new { amount = new Dictionary<string, string> { ["MXN"] = "150.00" }, score = 60 },
        structuring = new { threshold = new Dictionary<string, string> { ["*"] = "500.00" }, band_percent = 10, count = 3, score = 60 },
        dormant = new { days = 90, amount = new Dictionary<string, string> { ["*"] = "200.00" }, score = 60 },
    };

    [DbFact]
    public async Task Movements_go_through_wait_for_an_analyst_or_are_blocked_as_the_rules_say()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var analyst = await api.CreateUserAsync(admin.Token, "analyst");
        var rules = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/risk/rules", TightRules(), admin.Token);
        Assert.Equal(1, rules.GetProperty("version").GetInt32());
        Assert.Equal("150.00", rules.GetProperty("rules").GetProperty("new_destination").GetProperty("amount").GetProperty("MXN").GetString());
        var alice = await api.RegisterAsync();
        var bob = await api.RegisterAsync();
        var from = await api.CreateAccountAsync(alice.Token);
        var to = await api.CreateAccountAsync(bob.Token);
        await api.DepositAsync(admin.Token, from, "5000.00");

        // The first three in an hour go through, each with its decision; the fourth is held for review.
        for (var i = 0; i < 3; i++)
        {
            var made = await TransferAsync(api, admin.Token, alice.Token, from, to, "10.00");
            Assert.Equal(("COMPLETED", 0, "allow"), (made.GetProperty("status").GetString(), made.GetProperty("risk").GetProperty("score").GetInt32(),
                made.GetProperty("risk").GetProperty("outcome").GetString()));
        }
        var held = await TransferAsync(api, admin.Token, alice.Token, from, to, "10.00");
        Assert.Equal(("PENDING", "review", "open"), (held.GetProperty("status").GetString(), held.GetProperty("risk").GetProperty("outcome").GetString(),
            held.GetProperty("review_status").GetString()));
        Assert.Equal("velocity_hour", held.GetProperty("risk").GetProperty("rules")[0].GetProperty("rule").GetString());
        var heldId = held.GetProperty("id").GetGuid();
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/transactions/{heldId}/capture", new { }, alice.Token), HttpStatusCode.Conflict);
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/transactions/{heldId}/void", new { }, alice.Token), HttpStatusCode.Conflict);
        var account = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{from}", token: alice.Token);
        Assert.Equal(("4970.00", "10.00"), (account.GetProperty("balance").GetString(), account.GetProperty("held").GetString()));
        var review = held.GetProperty("review_id").GetGuid();
        var queued = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/reviews/{review}", token: analyst.Token);
        Assert.Contains("more than 3 movements", queued.GetProperty("reason").GetString());
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/reviews/{review}/decision", new { decision = "approve", note = "Payroll run" },
            analyst.Token);
        Assert.Equal("COMPLETED", (await api.WaitForStatusAsync(alice.Token, heldId, "COMPLETED")).Status);
        Assert.Equal("40.00", await api.BalanceAsync(bob.Token, to));

        var rejected = await TransferAsync(api, admin.Token, alice.Token, from, to, "20.00");
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/reviews/{rejected.GetProperty("review_id").GetGuid()}/decision",
            new { decision = "reject", note = "Unusual" }, analyst.Token);
        Assert.Equal("FAILED", (await api.WaitForStatusAsync(alice.Token, rejected.GetProperty("id").GetGuid(), "FAILED")).Status);
        account = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{from}", token: alice.Token);
        Assert.Equal(("4960.00", "0.00"), (account.GetProperty("balance").GetString(), account.GetProperty("held").GetString()));

        // Above the low-risk hard limit: refused, nothing moves, the decision is kept.
        var blocked = await api.TransferAsync(alice.Token, from, to, "1000.01");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, blocked.StatusCode);
        var problem = await ApiClient.BodyAsync(blocked);
        Assert.Equal("risk_blocked", problem.GetProperty("error_code").GetString());
        Assert.Contains("low-risk customer", problem.GetProperty("error").GetString());
        Assert.Equal("4960.00", await api.BalanceAsync(alice.Token, from));
        var block = await app.WithDbAsync(db => db.RiskBlocks.SingleAsync());
        Assert.Equal((from, 100_001L, 100), (block.AccountId, block.Amount, block.Score));

        // Switched off, the same movement goes through without a decision.
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/risk/rules", new { enabled = false }, admin.Token);
        var free = await TransferAsync(api, admin.Token, alice.Token, from, to, "1000.01");
        Assert.False(free.TryGetProperty("risk", out _));

        // The rules are the admin's; changes are audited and bad ones refused.
        await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Put, "/api/v1/risk/rules", new { review_score = 95, block_score = 90 }, admin.Token),
            HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Put, "/api/v1/risk/rules", new { surprise = 1 }, admin.Token), HttpStatusCode.BadRequest);
        foreach (var nulled in new object[] { new { hard_limit = (object?)null }, new { velocity = (object?)null },
            new { hard_limit = new Dictionary<string, object?> { ["low"] = null } } })
        {
            await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Put, "/api/v1/risk/rules", nulled, admin.Token), HttpStatusCode.UnprocessableEntity);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await api.SendAsync(HttpMethod.Put, "/api/v1/risk/rules", new { enabled = true }, analyst.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/api/v1/risk/rules", alice.Token)).StatusCode);
        var audit = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/admin/audit?event=risk.rules_changed", token: admin.Token);
        Assert.Equal(2, audit.GetArrayLength());
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task A_hold_its_payer_asked_for_stays_theirs_to_capture_after_its_review_is_approved()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var analyst = await api.CreateUserAsync(admin.Token, "analyst");
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/risk/rules", TightRules(hourCount: 1), admin.Token);
        var alice = await api.RegisterAsync();
        var bob = await api.RegisterAsync();
        var from = await api.CreateAccountAsync(alice.Token);
        var to = await api.CreateAccountAsync(bob.Token);
        await api.DepositAsync(admin.Token, from, "100.00");
        await TransferAsync(api, admin.Token, alice.Token, from, to, "1.00");

        // The second movement in the hour is held for review: a two-phase hold, with the expiry its payer chose.
        var expires = DateTime.UtcNow.AddDays(2);
        var hold = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer",
            new { origin_account_id = from, destination_account_id = to, amount = "10.00", hold = true, expires_at = expires }, alice.Token);
        var id = hold.GetProperty("id").GetGuid();
        var held = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/transactions/{id}", token: admin.Token);
        Assert.Equal(("PENDING", "open"), (held.GetProperty("status").GetString(), held.GetProperty("review_status").GetString()));
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/reviews/{held.GetProperty("review_id").GetGuid()}/decision",
            new { decision = "approve", note = "Known supplier" }, analyst.Token);

        // Approved, it is the payer's hold again, not captured by the approval: still pending, still expiring, captured in part by them.
        var approved = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/transactions/{id}", token: alice.Token);
        Assert.Equal(("PENDING", "approved"), (approved.GetProperty("status").GetString(), approved.GetProperty("review_status").GetString()));
        Assert.Equal(expires, approved.GetProperty("expires_at").GetDateTime().ToUniversalTime(), TimeSpan.FromSeconds(1));
        Assert.Equal("1.00", await api.BalanceAsync(bob.Token, to));
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/transactions/{id}/capture", new { amount = "6.00" }, alice.Token);
        Assert.Equal("7.00", await api.BalanceAsync(bob.Token, to));
        var account = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{from}", token: alice.Token);
        Assert.Equal(("93.00", "0.00"), (account.GetProperty("balance").GetString(), account.GetProperty("held").GetString()));
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task A_cross_currency_transfer_is_monitored_and_refused_when_it_would_have_to_wait()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/risk/rules", TightRules(hourCount: 2), admin.Token);
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/fx/rates", new { @base = "USD", quote = "MXN", rate = "17.25" }, admin.Token);
        var alice = await api.RegisterAsync();
        var bob = await api.RegisterAsync();
        var from = await api.CreateAccountAsync(alice.Token);
        var to = await api.CreateAccountAsync(bob.Token, "USD");
        await api.DepositAsync(admin.Token, from, "5000.00");
        async Task<HttpResponseMessage> ConvertAsync(string amount)
        {
            var quote = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/fx/quotes",
                new { from_currency = "MXN", to_currency = "USD", amount }, alice.Token);
            return await api.PostAsync("/api/v1/transactions/transfer",
                new { origin_account_id = from, destination_account_id = to, quote_id = quote.GetProperty("id").GetGuid() }, alice.Token);
        }

        // Above the hard limit in any currency pair: blocked, and kept.
        var blocked = await ConvertAsync("1725.00");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, blocked.StatusCode);
        Assert.Equal("risk_blocked", (await ApiClient.BodyAsync(blocked)).GetProperty("error_code").GetString());
        Assert.Equal(172_500L, await app.WithDbAsync(db => db.RiskBlocks.Select(b => b.Amount).SingleAsync()));
        // Counted with the account's other movements: the first two in the hour go through, the third would wait for an
        // analyst, which a quoted rate cannot, so it is refused.
        Assert.Equal(HttpStatusCode.Created, (await ConvertAsync("17.25")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await api.TransferAsync(alice.Token, from, await api.CreateAccountAsync(alice.Token), "1.00")).StatusCode);
        var refused = await ConvertAsync("17.25");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("cannot wait at its quoted rate", (await ApiClient.BodyAsync(refused)).GetProperty("error").GetString());
        Assert.Equal("1.00", await api.BalanceAsync(bob.Token, to));
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task Structuring_a_new_destination_and_a_dormant_account_are_held_and_small_or_known_ones_are_not()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/risk/rules", TightRules(hourCount: 100), admin.Token);
        var alice = await api.RegisterAsync();
        var bob = await api.RegisterAsync();
        var from = await api.CreateAccountAsync(alice.Token);
        var to = await api.CreateAccountAsync(bob.Token);
        var other = await api.CreateAccountAsync(bob.Token);
        await api.DepositAsync(admin.Token, from, "5000.00");

        // Structuring (to destinations paid before, so the new-destination rule stays out of it): two amounts just under
        // 500.00 pass, the third in the day is held; one below the band is not counted.
        await TransferAsync(api, admin.Token, alice.Token, from, to, "1.00");
        await TransferAsync(api, admin.Token, alice.Token, from, other, "1.00");
        Assert.Equal("allow", Outcome(await TransferAsync(api, admin.Token, alice.Token, from, to, "460.00")));
        Assert.Equal("allow", Outcome(await TransferAsync(api, admin.Token, alice.Token, from, to, "440.00")));
        Assert.Equal("allow", Outcome(await TransferAsync(api, admin.Token, alice.Token, from, to, "499.99")));
        var third = await TransferAsync(api, admin.Token, alice.Token, from, other, "451.00");
        Assert.Equal(("review", "structuring"), (Outcome(third), third.GetProperty("risk").GetProperty("rules")[0].GetProperty("rule").GetString()));

        // A new destination: 150.00 or more to a wallet never paid is held; to one already paid it is not.
        var carol = await api.RegisterAsync();
        var fresh = await api.CreateAccountAsync(carol.Token);
        var dave = await api.RegisterAsync();
        var daveFrom = await api.CreateAccountAsync(dave.Token);
        await api.DepositAsync(admin.Token, daveFrom, "1000.00");
        Assert.Equal("review", Outcome(await TransferAsync(api, admin.Token, dave.Token, daveFrom, fresh, "150.00")));
        Assert.Equal("allow", Outcome(await TransferAsync(api, admin.Token, dave.Token, daveFrom, fresh, "149.99")));
        Assert.Equal("allow", Outcome(await TransferAsync(api, admin.Token, dave.Token, daveFrom, fresh, "150.00"))); // paid before now

        // A dormant account waking up with 200.00 or more.
        var erin = await api.RegisterAsync();
        var sleepy = await api.CreateAccountAsync(erin.Token);
        await api.DepositAsync(admin.Token, sleepy, "1000.00");
        Assert.Equal("allow", Outcome(await TransferAsync(api, admin.Token, erin.Token, sleepy, fresh, "10.00")));
        var longAgo = DateTime.UtcNow.AddDays(-120);
        await app.WithDbAsync(db => db.Accounts.Where(a => a.Id == sleepy)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.UpdatedAt, longAgo).SetProperty(a => a.CreatedAt, longAgo)));
        Assert.Equal("allow", Outcome(await TransferAsync(api, admin.Token, erin.Token, sleepy, fresh, "199.99"))); // small: and it wakes the account
        await app.WithDbAsync(db => db.Accounts.Where(a => a.Id == sleepy).ExecuteUpdateAsync(s => s.SetProperty(a => a.UpdatedAt, longAgo)));
        var woken = await TransferAsync(api, admin.Token, erin.Token, sleepy, fresh, "200.00");
        Assert.Equal(("review", "dormant_account"), (Outcome(woken), woken.GetProperty("risk").GetProperty("rules")[0].GetProperty("rule").GetString()));

        // An atomic batch cannot wait for an analyst in part: the transfer that would be held refuses the batch.
        var frank = await api.RegisterAsync();
        var stranger = await api.CreateAccountAsync(frank.Token);
        var atomic = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/transactions/batch", new
        {
            atomic = true,
            transfers = new object[]
            {
                new { origin_account_id = daveFrom, destination_account_id = fresh, amount = "1.00" },
                new { origin_account_id = daveFrom, destination_account_id = stranger, amount = "300.00" },
            },
        }, dave.Token);
        Assert.Equal(0, atomic.GetProperty("succeeded").GetInt32());
        Assert.Equal("risk_blocked", atomic.GetProperty("results")[1].GetProperty("error").GetProperty("error_code").GetString());
    }

    [DbFact]
    public async Task A_customers_risk_rating_explains_itself_and_sets_the_hard_limit_and_the_rescreening_interval()
    {
        await using var app = await TestApp.StartAsync(kind, new Dictionary<string, string?> { ["Finsoft:Risk:HighRiskCountries:0"] = "KP" });
        var api = app.Api();
        var admin = await api.AdminAsync();
        var analyst = await api.CreateUserAsync(admin.Token, "analyst");
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/risk/rules", TightRules(), admin.Token);
        var customer = await api.RegisterAsync();
        var from = await api.CreateAccountAsync(customer.Token);
        var to = await api.CreateAccountAsync(customer.Token);
        await api.DepositAsync(admin.Token, from, "1000.00");

        var rating = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/risk/customers/{customer.UserId}", token: analyst.Token);
        // New (10), no MFA (10), no country given (0.3 × 15): 25, low.
        Assert.Equal((25, "low"), (rating.GetProperty("score").GetInt32(), rating.GetProperty("level").GetString()));
        Assert.Equal(["watch_list", "country", "customer_age", "mfa", "volume", "velocity", "review_history"],
            rating.GetProperty("factors").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        Assert.Equal(100, rating.GetProperty("factors").EnumerateArray().Sum(f => f.GetProperty("weight").GetInt32()));
        Assert.Equal("allow", Outcome(await TransferAsync(api, admin.Token, customer.Token, from, to, "100.00")));

        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/users/me/profile", new { country = "KP" }, customer.Token);
        rating = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/risk/customers/{customer.UserId}", token: analyst.Token);
        Assert.Equal((35, "medium"), (rating.GetProperty("score").GetInt32(), rating.GetProperty("level").GetString()));
        var blocked = await api.TransferAsync(customer.Token, from, to, "150.00"); // above medium's 100.00
        Assert.Equal("risk_blocked", (await ApiClient.BodyAsync(blocked)).GetProperty("error_code").GetString());
        var schedule = await app.WithDbAsync(db => db.ScreeningSchedules.SingleAsync(s => s.EntityId == customer.UserId));
        Assert.Equal(180, schedule.IntervalDays);

        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/risk/customers/{Guid.NewGuid()}", analyst.Token), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync($"/api/v1/risk/customers/{customer.UserId}", customer.Token)).StatusCode);
    }

    /// <summary>Makes the transfer and returns it as staff see it: the customer's own view never shows monitoring's judgement.</summary>
    private static async Task<JsonElement> TransferAsync(ApiClient api, string staffToken, string token, Guid from, Guid to, string amount)
    {
        using var response = await api.TransferAsync(token, from, to, amount);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var made = await ApiClient.BodyAsync(response);
        var id = made.GetProperty("id").GetGuid();
        Assert.False(made.TryGetProperty("risk", out _));
        Assert.False((await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/transactions/{id}", token: token)).TryGetProperty("risk", out _));
        return await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/transactions/{id}", token: staffToken);
    }

    private static string Outcome(JsonElement transaction) => transaction.GetProperty("risk").GetProperty("outcome").GetString()!;
}

public sealed class MonitoringTestsOnSqlite() : MonitoringTests(DatabaseKind.Sqlite);

public sealed class MonitoringTestsOnPostgres() : MonitoringTests(DatabaseKind.Postgres), IPostgresTests;
