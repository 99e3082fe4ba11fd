using System.Net;
using Finsoft.Api.Tests.Infrastructure;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Tests;

public abstract class AccountTests(DatabaseKind kind)
{
    [DbFact]
    public async Task A_new_account_has_a_valid_generated_clabe_and_a_zero_balance_in_the_default_currency()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var account = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/accounts", new { }, user.Token);
        Assert.Equal("0.00", account.GetProperty("balance").GetString());
        Assert.Equal("MXN", account.GetProperty("currency").GetString());
        Assert.Equal(user.UserId, account.GetProperty("user_id").GetGuid());
        Assert.True(Clabe.Parse(account.GetProperty("clabe").GetString()).IsSuccess);
    }

    [DbFact]
    public async Task Accounts_take_any_iso_currency_and_show_its_digits()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var admin = await api.AdminAsync();
        var yen = await api.CreateAccountAsync(user.Token, "JPY");
        var dinar = await api.CreateAccountAsync(user.Token, "kwd");
        await api.DepositAsync(admin.Token, yen, "1500");
        await api.DepositAsync(admin.Token, dinar, "2.125");
        Assert.Equal("1500", await api.BalanceAsync(user.Token, yen));
        Assert.Equal("2.125", await api.BalanceAsync(user.Token, dinar));
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/accounts", new { currency = "XYZ" }, user.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/transactions/deposit", new { account_id = yen, amount = "1.5" }, admin.Token), HttpStatusCode.UnprocessableEntity);
    }

    [DbFact]
    public async Task A_given_clabe_must_be_valid_and_unique()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var clabe = Clabe.Create("012", "180", "00000000001").Value;
        var created = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/accounts", new { clabe }, user.Token);
        Assert.Equal(clabe, created.GetProperty("clabe").GetString());
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/accounts", new { clabe }, user.Token), HttpStatusCode.UnprocessableEntity, "This CLABE is already registered");
        var badCheckDigit = clabe[..17] + (char)('0' + (clabe[17] - '0' + 1) % 10);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/accounts", new { clabe = badCheckDigit }, user.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/accounts", new { clabe = "0303030303030033" }, user.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/accounts", new { balance = "100.00" }, user.Token), HttpStatusCode.BadRequest);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/accounts", new { user_id = Guid.NewGuid() }, user.Token), HttpStatusCode.BadRequest);
        Assert.Equal(1, await app.WithDbAsync(db => db.Accounts.CountAsync(a => a.UserId == user.UserId)));
    }

    [DbFact]
    public async Task Another_users_account_is_not_found_and_admins_can_read_it()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var owner = await api.RegisterAsync();
        var stranger = await api.RegisterAsync();
        var admin = await api.AdminAsync();
        var account = await api.CreateAccountAsync(owner.Token);
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/accounts/{account}", stranger.Token), HttpStatusCode.NotFound);
        await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Delete, $"/api/v1/accounts/{account}", token: stranger.Token), HttpStatusCode.NotFound);
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/accounts/{account}/transactions", stranger.Token), HttpStatusCode.NotFound);
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{account}", token: admin.Token);
        var list = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/accounts", token: stranger.Token);
        Assert.Equal(0, list.GetArrayLength());
    }

    [DbFact]
    public async Task Delete_needs_a_zero_balance()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var admin = await api.AdminAsync();
        var funded = await api.CreateAccountAsync(user.Token);
        var empty = await api.CreateAccountAsync(user.Token);
        await api.DepositAsync(admin.Token, funded, "10.00");
        await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Delete, $"/api/v1/accounts/{funded}", token: user.Token), HttpStatusCode.Conflict);
        var deleted = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Delete, $"/api/v1/accounts/{empty}", token: user.Token);
        Assert.Equal("Ok", deleted.GetProperty("status").GetString());
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/accounts/{empty}", user.Token), HttpStatusCode.NotFound);
        await ApiClient.AssertProblemAsync(await api.TransferAsync(user.Token, funded, empty, "1.00"), HttpStatusCode.NotFound, "Destination account not found");
    }

    [DbFact]
    public async Task Admin_sets_a_balance_through_an_adjustment_entry_and_customers_cannot()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var admin = await api.AdminAsync();
        var account = await api.CreateAccountAsync(user.Token);
        await api.DepositAsync(admin.Token, account, "100.00");
        await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Put, $"/api/v1/accounts/{account}", new { balance = 5000.00 }, user.Token), HttpStatusCode.Forbidden);
        var updated = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/accounts/{account}", new { balance = 5000.00 }, admin.Token);
        Assert.Equal("5000.00", updated.GetProperty("balance").GetString());
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/accounts/{account}", new { balance = "40.00" }, admin.Token);
        Assert.Equal("40.00", await api.BalanceAsync(user.Token, account));
        await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Put, $"/api/v1/accounts/{account}", new { balance = "-1.00" }, admin.Token), HttpStatusCode.UnprocessableEntity);

        var history = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{account}/transactions", token: user.Token);
        var types = history.EnumerateArray().Select(t => t.GetProperty("transaction_type").GetString()).ToList();
        Assert.Equal(["ADJUSTMENT", "ADJUSTMENT", "DEPOSIT"], types);
        Assert.Equal("4960.00", history[0].GetProperty("amount").GetString());
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task Available_balance_sums_the_callers_accounts_in_a_currency()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var admin = await api.AdminAsync();
        await api.DepositAsync(admin.Token, await api.CreateAccountAsync(user.Token), "15000.00");
        await api.DepositAsync(admin.Token, await api.CreateAccountAsync(user.Token), "0.50");
        await api.DepositAsync(admin.Token, await api.CreateAccountAsync(user.Token, "USD"), "7.00");
        var mxn = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/accounts/available-balance", token: user.Token);
        Assert.Equal("15000.50", mxn.GetProperty("amount").GetString());
        Assert.Equal("MXN", mxn.GetProperty("currency").GetString());
        var usd = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/accounts/available-balance?currency=USD", token: user.Token);
        Assert.Equal("7.00", usd.GetProperty("amount").GetString());
    }

    [DbFact]
    public async Task Rows_created_in_the_same_instant_are_neither_lost_nor_repeated_across_pages()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var admin = await api.AdminAsync();
        var created = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            created.Add(await api.CreateAccountAsync(user.Token));
            await api.DepositAsync(admin.Token, created[^1], "1.00");
        }
        var instant = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await app.WithDbAsync(db => db.Accounts.Where(a => a.UserId == user.UserId).ExecuteUpdateAsync(s => s.SetProperty(a => a.CreatedAt, instant)));
        await app.WithDbAsync(db => db.Transactions.ExecuteUpdateAsync(s => s.SetProperty(t => t.CreatedAt, instant)));

        foreach (var first in new[] { "/api/v1/accounts?limit=1", "/api/v1/transactions?limit=1" })
        {
            var seen = new List<Guid>();
            var next = first;
            while (next is not null)
            {
                using var response = await api.GetAsync(next, user.Token);
                seen.AddRange((await ApiClient.BodyAsync(response)).EnumerateArray().Select(a => a.GetProperty("id").GetGuid()));
                next = response.Headers.TryGetValues("Link", out var links) ? links.Single().Split('<', '>')[1] : null;
            }
            Assert.Equal(4, seen.Count);
            Assert.Equal(4, seen.Distinct().Count());
        }
    }

    [DbFact]
    public async Task Lists_paginate_with_a_cursor_and_a_link_header()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var created = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            created.Add(await api.CreateAccountAsync(user.Token));
        }
        var seen = new List<Guid>();
        var next = "/api/v1/accounts?limit=2";
        while (next is not null)
        {
            using var response = await api.GetAsync(next, user.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            seen.AddRange((await ApiClient.BodyAsync(response)).EnumerateArray().Select(a => a.GetProperty("id").GetGuid()));
            next = response.Headers.TryGetValues("Link", out var links) ? links.Single().Split('<', '>')[1] : null;
        }
        Assert.Equal(created.Order(), seen.Order());
        Assert.Equal(5, seen.Distinct().Count());
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/accounts?limit=0", user.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/accounts?limit=100000", user.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/accounts?cursor=garbage!!", user.Token), HttpStatusCode.UnprocessableEntity);
    }
}

public sealed class AccountTestsOnSqlite() : AccountTests(DatabaseKind.Sqlite);

public sealed class AccountTestsOnPostgres() : AccountTests(DatabaseKind.Postgres), IPostgresTests;
