using System.Net;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Tests;

/// <summary>Exchange rates, quotes, and a cross-currency transfer's two balanced legs.</summary>
public abstract class FxTests(DatabaseKind kind)
{
    [DbFact]
    public async Task A_quoted_transfer_moves_both_currencies_through_the_fx_accounts_once()
    {
        var world = await TwoCustomers.StartAsync(kind, "1000.00");
        await using var app = world.App;
        var api = world.Api;
        var bobUsd = await api.CreateAccountAsync(world.Bob.Token, "USD");
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/fx/rates", new { @base = "USD", quote = "MXN", rate = "17.25" }, world.Admin.Token);
        var direct = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/fx/rates?base=USD&quote=MXN", token: world.Alice.Token);
        Assert.Equal("17.25", direct.GetProperty("rate").GetString());
        var inverse = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/fx/rates?base=MXN&quote=USD", token: world.Alice.Token);
        Assert.Equal("0.057971014493", inverse.GetProperty("rate").GetString());
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/fx/rates?base=USD&quote=JPY", world.Alice.Token), HttpStatusCode.NotFound);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/fx/rates", new { @base = "USD", quote = "USD", rate = "1" }, world.Admin.Token),
            HttpStatusCode.UnprocessableEntity);
        // The rates recorded, newest first, a page at a time, for staff: a rate set for later is not the customers' to see yet.
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/fx/rates", new { @base = "EUR", quote = "MXN", rate = "19.80" }, world.Admin.Token);
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/fx/rates/recorded", world.Alice.Token), HttpStatusCode.Forbidden);
        using (var recorded = await api.GetAsync("/api/v1/fx/rates/recorded?limit=1", world.Admin.Token))
        {
            var first = await ApiClient.BodyAsync(recorded);
            Assert.Equal(("EUR", "19.80"), (first[0].GetProperty("base").GetString(), first[0].GetProperty("rate").GetString()));
            var next = recorded.Headers.GetValues("Link").Single().Split('<', '>')[1];
            var second = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, next, token: world.Admin.Token);
            Assert.Equal(("USD", "MXN"), (second[0].GetProperty("base").GetString(), second[0].GetProperty("quote").GetString()));
        }

        var quote = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/fx/quotes",
            new { from_currency = "MXN", to_currency = "USD", amount = "172.50" }, world.Alice.Token);
        Assert.Equal(("172.50", "10.00", "0.057971014493"), (quote.GetProperty("from_amount").GetString(), quote.GetProperty("to_amount").GetString(),
            quote.GetProperty("rate").GetString()));
        var quoteId = quote.GetProperty("id").GetGuid();
        var body = new { origin_account_id = world.AliceAccount, destination_account_id = bobUsd, quote_id = quoteId, description = "invoice 7" };

        // The wrong accounts for the quote, someone else's quote, a quote in a batch: refused, nothing spent.
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/transactions/transfer",
            new { origin_account_id = world.AliceAccount, destination_account_id = world.BobAccount, quote_id = quoteId }, world.Alice.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/transactions/transfer", body, world.Bob.Token), HttpStatusCode.NotFound);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/transactions/batch", new { transfers = new[] { body } }, world.Alice.Token),
            HttpStatusCode.BadRequest); // batch items take no quote

        var made = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer", body, world.Alice.Token, "fx-key-1");
        Assert.Equal(("172.50", "MXN"), (made.GetProperty("amount").GetString(), made.GetProperty("currency").GetString()));
        Assert.Equal(("10.00", "USD", "0.057971014493"), (made.GetProperty("fx").GetProperty("to_amount").GetString(),
            made.GetProperty("fx").GetProperty("to_currency").GetString(), made.GetProperty("fx").GetProperty("rate").GetString()));
        Assert.Equal("827.50", await api.BalanceAsync(world.Alice.Token, world.AliceAccount));
        Assert.Equal("10.00", await api.BalanceAsync(world.Bob.Token, bobUsd));

        // Retried with its key: the same answer. Without the key, or again: the quote is spent.
        using (var replay = await api.PostAsync("/api/v1/transactions/transfer", body, world.Alice.Token, "fx-key-1"))
        {
            Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
            Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        }
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/transactions/transfer", body, world.Alice.Token), HttpStatusCode.Conflict);
        Assert.Equal("827.50", await api.BalanceAsync(world.Alice.Token, world.AliceAccount));

        // Two legs, each balanced in its own currency, through the FX conversion accounts.
        var verify = await api.VerifyLedgerAsync();
        Assert.True(verify.GetProperty("ok").GetBoolean());
        foreach (var (currency, fxBalance) in new[] { ("MXN", "172.50"), ("USD", "-10.00") })
        {
            var trial = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/reports/trial-balance?currency={currency}", token: world.Admin.Token);
            Assert.True(trial.GetProperty("balanced").GetBoolean());
            Assert.Equal(fxBalance, trial.GetProperty("accounts").EnumerateArray().Single(a => a.GetProperty("account").GetString() == "fx_conversion")
                .GetProperty("balance").GetString());
        }
        var listed = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/transactions/{made.GetProperty("id").GetGuid()}", token: world.Bob.Token);
        Assert.Equal(quoteId, listed.GetProperty("fx").GetProperty("quote_id").GetGuid());
    }

    [DbFact]
    public async Task An_expired_quote_is_refused_and_a_refused_transfer_leaves_the_quote_unspent()
    {
        var world = await TwoCustomers.StartAsync(kind, "5.00");
        await using var app = world.App;
        var api = world.Api;
        var bobUsd = await api.CreateAccountAsync(world.Bob.Token, "USD");
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/fx/rates", new { @base = "MXN", quote = "USD", rate = "0.05" }, world.Admin.Token);
        async Task<Guid> QuoteAsync(string amount) => (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/fx/quotes",
            new { from_currency = "MXN", to_currency = "USD", amount }, world.Alice.Token)).GetProperty("id").GetGuid();
        object Body(Guid quote) => new { origin_account_id = world.AliceAccount, destination_account_id = bobUsd, quote_id = quote };

        var tooBig = await QuoteAsync("100.00");
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/transactions/transfer", Body(tooBig), world.Alice.Token), HttpStatusCode.BadRequest);
        await api.DepositAsync(world.Admin.Token, world.AliceAccount, "100.00");
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer", Body(tooBig), world.Alice.Token);

        var stale = await QuoteAsync("1.00");
        await app.WithDbAsync(db => db.FxQuotes.Where(q => q.Id == stale).ExecuteUpdateAsync(s => s.SetProperty(q => q.ExpiresAt, DateTime.UtcNow.AddSeconds(-1))));
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/transactions/transfer", Body(stale), world.Alice.Token), HttpStatusCode.Conflict);
        // Less than one minor unit after conversion is refused at quote time.
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/fx/quotes", new { from_currency = "MXN", to_currency = "USD", amount = "0.01" },
            world.Alice.Token), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("5.00", await api.BalanceAsync(world.Bob.Token, bobUsd));
    }
}

public sealed class FxTestsOnSqlite() : FxTests(DatabaseKind.Sqlite);

public sealed class FxTestsOnPostgres() : FxTests(DatabaseKind.Postgres), IPostgresTests;
