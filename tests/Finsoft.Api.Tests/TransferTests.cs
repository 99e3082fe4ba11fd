using System.Net;
using Finsoft.Api.Tests.Infrastructure;
using Finsoft.Api.MoneyPath.Idempotency;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Finsoft.Api.Tests;

public abstract class TransferTests(DatabaseKind kind)
{
    private Task<TwoCustomers> FundedAsync(string aliceOpening = "20000.00") => TwoCustomers.StartAsync(kind, aliceOpening);

    [DbFact]
    public async Task A_transfer_moves_money_and_answers_as_seed_000()
    {
        var w = await FundedAsync();
        await using var app = w.App;
        using var response = await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "5000.00");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await ApiClient.BodyAsync(response);
        Assert.Equal("TRANSFER", body.GetProperty("transaction_type").GetString());
        Assert.Equal("COMPLETED", body.GetProperty("status").GetString());
        Assert.Equal("5000.00", body.GetProperty("amount").GetString());
        Assert.Equal("MXN", body.GetProperty("currency").GetString());
        Assert.Equal("15000.00", body.GetProperty("origin_account").GetProperty("balance").GetString());
        var target = body.GetProperty("target_account");
        Assert.Equal(w.BobAccount, target.GetProperty("id").GetGuid());
        Assert.False(target.TryGetProperty("balance", out _)); // the sender is not shown the receiver's balance
        Assert.Equal("15000.00", await w.Api.BalanceAsync(w.Alice.Token, w.AliceAccount));
        Assert.Equal("5000.00", await w.Api.BalanceAsync(w.Bob.Token, w.BobAccount));

        var id = body.GetProperty("id").GetGuid();
        var seenByBob = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/transactions/{id}", token: w.Bob.Token);
        Assert.Equal(w.AliceAccount, seenByBob.GetProperty("origin_account_id").GetGuid());
        var stranger = await w.Api.RegisterAsync();
        await ApiClient.AssertProblemAsync(await w.Api.GetAsync($"/api/v1/transactions/{id}", stranger.Token), HttpStatusCode.NotFound);
        Assert.True((await w.Api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task Overdraft_and_unknown_accounts_get_seed_000_errors_and_change_nothing()
    {
        var w = await FundedAsync("10.00");
        await using var app = w.App;
        await ApiClient.AssertProblemAsync(await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "10.01"), HttpStatusCode.BadRequest, "Insufficient balance in origin account");
        await ApiClient.AssertProblemAsync(await w.Api.TransferAsync(w.Alice.Token, Guid.NewGuid(), w.BobAccount, "1.00"), HttpStatusCode.NotFound, "Origin account not found");
        await ApiClient.AssertProblemAsync(await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, Guid.NewGuid(), "1.00"), HttpStatusCode.NotFound, "Destination account not found");
        // Someone else's account as origin: not found, not forbidden.
        await ApiClient.AssertProblemAsync(await w.Api.TransferAsync(w.Bob.Token, w.AliceAccount, w.BobAccount, "1.00"), HttpStatusCode.NotFound, "Origin account not found");
        await ApiClient.AssertProblemAsync(await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.AliceAccount, "1.00"), HttpStatusCode.UnprocessableEntity);
        var dollars = await w.Api.CreateAccountAsync(w.Bob.Token, "USD");
        await ApiClient.AssertProblemAsync(await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, dollars, "1.00"), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("10.00", await w.Api.BalanceAsync(w.Alice.Token, w.AliceAccount));
        Assert.Equal("0.00", await w.Api.BalanceAsync(w.Bob.Token, w.BobAccount));
        Assert.Equal(1, await w.App.WithDbAsync(db => db.Transactions.CountAsync()));
    }

    [DbFact]
    public async Task Amounts_must_be_exact_positive_and_in_range()
    {
        var w = await FundedAsync();
        await using var app = w.App;
        object[] bad = ["0", "0.00", "-5.00", "1.001", "abc", "1e3", "", " ", "92233720368547758.08", "99999999999999999999", 1.001, -1, 0, 1e300, true];
        foreach (var amount in bad)
        {
            using var response = await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, amount);
            Assert.True(response.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest, $"{amount}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal("20000.00", await w.Api.BalanceAsync(w.Alice.Token, w.AliceAccount));
        await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer",
            new { origin_account_id = w.AliceAccount, destination_account_id = w.BobAccount, amount = 0.01 }, w.Alice.Token);
        await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer",
            new { origin_account_id = w.AliceAccount, destination_account_id = w.BobAccount, amount = "2.50" }, w.Alice.Token);
        Assert.Equal("2.51", await w.Api.BalanceAsync(w.Bob.Token, w.BobAccount));
    }

    [DbFact]
    public async Task An_idempotency_key_replays_the_first_answer_and_refuses_a_different_body()
    {
        var w = await FundedAsync();
        await using var app = w.App;
        using var first = await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "100.00", "key-1");
        using var again = await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, 100.00m, "key-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        await ApiClient.AssertProblemAsync(await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "200.00", "key-1"), HttpStatusCode.UnprocessableEntity);
        // Keys belong to their caller: Bob's "key-1" is a different key.
        var bobAccount2 = await w.Api.CreateAccountAsync(w.Bob.Token);
        await w.Api.DepositAsync(w.Admin.Token, bobAccount2, "1.00");
        using var bobs = await w.Api.TransferAsync(w.Bob.Token, bobAccount2, w.AliceAccount, "1.00", "key-1");
        Assert.Equal(HttpStatusCode.Created, bobs.StatusCode);
        Assert.Equal("100.00", await w.Api.BalanceAsync(w.Bob.Token, w.BobAccount));

        // A refusal is replayed too, and moves nothing even when the funds arrive later.
        await ApiClient.AssertProblemAsync(await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "50000.00", "key-2"), HttpStatusCode.BadRequest);
        await w.Api.DepositAsync(w.Admin.Token, w.AliceAccount, "100000.00");
        using var replayedRefusal = await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "50000.00", "key-2");
        await ApiClient.AssertProblemAsync(replayedRefusal, HttpStatusCode.BadRequest, "Insufficient balance in origin account");
        Assert.Equal("100.00", await w.Api.BalanceAsync(w.Bob.Token, w.BobAccount));
    }

    [DbFact]
    public async Task A_claim_left_by_a_dead_process_answers_409_until_its_lease_ends_then_runs_once()
    {
        var w = await FundedAsync("10.00");
        await using var app = w.App;
        // A refused transfer moves nothing; turning its record back into an open claim is what a process
        // that died after claiming the key, before committing, leaves behind.
        await ApiClient.AssertProblemAsync(await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "50.00", "orphan"), HttpStatusCode.BadRequest);
        await w.Api.DepositAsync(w.Admin.Token, w.AliceAccount, "100.00");
        await app.WithDbAsync(db => db.IdempotencyKeys.Where(k => k.Key == "orphan")
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.StatusCode, (int?)null).SetProperty(k => k.ResponseBody, (string?)null).SetProperty(k => k.ClaimedAt, DateTime.UtcNow)));
        await ApiClient.AssertProblemAsync(await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "50.00", "orphan"), HttpStatusCode.Conflict);

        await app.WithDbAsync(db => db.IdempotencyKeys.Where(k => k.Key == "orphan")
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.ClaimedAt, DateTime.UtcNow.AddMinutes(-5))));
        using var taken = await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "50.00", "orphan");
        Assert.Equal(HttpStatusCode.Created, taken.StatusCode);
        using var replay = await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "50.00", "orphan");
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal("50.00", await w.Api.BalanceAsync(w.Bob.Token, w.BobAccount));
    }

    [DbFact]
    public async Task Completed_keys_are_kept_a_day_and_expire_after_the_retention()
    {
        var w = await FundedAsync();
        await using var app = w.App;
        Assert.Equal(HttpStatusCode.Created, (await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "1.00", "old-key")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "1.00", "day-old-key")).StatusCode);
        await app.WithDbAsync(db => db.IdempotencyKeys.Where(k => k.Key == "old-key")
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.CreatedAt, DateTime.UtcNow - IdempotencyKeyExpiry.Retention - TimeSpan.FromMinutes(1))));
        await app.WithDbAsync(db => db.IdempotencyKeys.Where(k => k.Key == "day-old-key")
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.CreatedAt, DateTime.UtcNow - TimeSpan.FromHours(25))));
        Assert.Equal(1, await app.Services.GetRequiredService<IdempotencyKeyExpiry>().ExpireAsync(CancellationToken.None));
        var keys = await app.WithDbAsync(db => db.IdempotencyKeys.Select(k => k.Key).ToListAsync());
        Assert.Equal(["day-old-key"], keys);
    }

    [DbFact]
    public async Task The_receiver_reverses_a_transfer_once_while_it_still_has_the_funds()
    {
        var w = await FundedAsync();
        await using var app = w.App;
        var transfer = await ApiClient.BodyAsync(await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "300.00"));
        var id = transfer.GetProperty("id").GetGuid();
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync($"/api/v1/transactions/{id}/reverse", null, w.Alice.Token), HttpStatusCode.NotFound);

        var bobSpare = await w.Api.CreateAccountAsync(w.Bob.Token);
        await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer",
            new { origin_account_id = w.BobAccount, destination_account_id = bobSpare, amount = "200.00" }, w.Bob.Token);
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync($"/api/v1/transactions/{id}/reverse", null, w.Bob.Token), HttpStatusCode.BadRequest);
        await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer",
            new { origin_account_id = bobSpare, destination_account_id = w.BobAccount, amount = "200.00" }, w.Bob.Token);

        var reversal = await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/v1/transactions/{id}/reverse", token: w.Bob.Token);
        Assert.Equal("REVERSAL", reversal.GetProperty("transaction_type").GetString());
        Assert.Equal(id, reversal.GetProperty("reversal_of_id").GetGuid());
        Assert.Equal("20000.00", await w.Api.BalanceAsync(w.Alice.Token, w.AliceAccount));
        Assert.Equal("0.00", await w.Api.BalanceAsync(w.Bob.Token, w.BobAccount));
        var original = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/transactions/{id}", token: w.Alice.Token);
        Assert.True(original.GetProperty("reversed").GetBoolean());
        Assert.Equal("COMPLETED", original.GetProperty("status").GetString());
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync($"/api/v1/transactions/{id}/reverse", null, w.Admin.Token), HttpStatusCode.Conflict);
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync($"/api/v1/transactions/{reversal.GetProperty("id").GetGuid()}/reverse", null, w.Admin.Token), HttpStatusCode.Conflict);
        Assert.True((await w.Api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task Transaction_history_filters_by_type_status_account_and_time()
    {
        var w = await FundedAsync();
        await using var app = w.App;
        await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "1.00");
        await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "2.00");
        var all = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/transactions", token: w.Alice.Token);
        Assert.Equal(3, all.GetArrayLength());
        Assert.Equal("2.00", all[0].GetProperty("amount").GetString()); // newest first
        var transfers = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/transactions?type=TRANSFER&status=COMPLETED", token: w.Alice.Token);
        Assert.Equal(2, transfers.GetArrayLength());
        var deposits = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/transactions?type=deposit&account_id={w.AliceAccount}", token: w.Alice.Token);
        Assert.Equal(1, deposits.GetArrayLength());
        var future = DateTime.UtcNow.AddDays(1).ToString("O");
        var none = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/transactions?from={Uri.EscapeDataString(future)}", token: w.Alice.Token);
        Assert.Equal(0, none.GetArrayLength());
        var bobs = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/transactions", token: w.Bob.Token);
        Assert.Equal(2, bobs.GetArrayLength());
        await ApiClient.AssertProblemAsync(await w.Api.GetAsync("/api/v1/transactions?type=GIFT", w.Alice.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await w.Api.GetAsync("/api/v1/transactions?from=yesterday", w.Alice.Token), HttpStatusCode.BadRequest);

        var page1 = await w.Api.GetAsync("/api/v1/transactions?limit=2", w.Alice.Token);
        var link = page1.Headers.GetValues("Link").Single().Split('<', '>')[1];
        var page2 = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, link, token: w.Alice.Token);
        Assert.Equal("DEPOSIT", page2.EnumerateArray().Single().GetProperty("transaction_type").GetString());
    }

    [DbFact]
    public async Task Only_admins_deposit()
    {
        var w = await FundedAsync();
        await using var app = w.App;
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync("/api/v1/transactions/deposit", new { account_id = w.AliceAccount, amount = "1.00" }, w.Alice.Token), HttpStatusCode.Forbidden);
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync("/api/v1/transactions/deposit", new { account_id = Guid.NewGuid(), amount = "1.00" }, w.Admin.Token), HttpStatusCode.NotFound);
    }
}

public sealed class TransferTestsOnSqlite() : TransferTests(DatabaseKind.Sqlite);

public sealed class TransferTestsOnPostgres() : TransferTests(DatabaseKind.Postgres), IPostgresTests;
