using System.Net;
using System.Text.Json;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Tests;

/// <summary>The transfer engine seen from outside: batches of transfers, linked (atomic) batches, and grouping under load.</summary>
public abstract class BatchTransferTests(DatabaseKind kind)
{
    private Task<TwoCustomers> FundedAsync(string aliceOpening) => TwoCustomers.StartAsync(kind, aliceOpening);

    private static object Item(Guid from, Guid to, string amount, string? key = null) =>
        new { origin_account_id = from, destination_account_id = to, amount, idempotency_key = key };

    private static Task<JsonElement> BatchAsync(TwoCustomers w, object[] transfers, bool atomic = false) =>
        w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/transactions/batch", new { atomic, transfers }, w.Alice.Token);

    [DbFact]
    public async Task Each_transfer_in_a_batch_gets_its_own_result_and_a_refusal_does_not_fail_the_others()
    {
        var w = await FundedAsync("100.00");
        await using var app = w.App;
        object[] transfers =
        [
            Item(w.AliceAccount, w.BobAccount, "60.00", "a"),
            Item(w.AliceAccount, w.BobAccount, "60.00", "b"), // only 40.00 left
            Item(w.AliceAccount, Guid.NewGuid(), "1.00", "c"),
            Item(w.AliceAccount, w.BobAccount, "40.00", "d"),
        ];
        var body = await BatchAsync(w, transfers);
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([201, 400, 404, 201], results.Select(r => r.GetProperty("status").GetInt32()));
        Assert.Equal("Insufficient balance in origin account", results[1].GetProperty("error").GetProperty("error").GetString());
        Assert.Equal("40.00", results[0].GetProperty("transaction").GetProperty("origin_account").GetProperty("balance").GetString());
        Assert.Equal("0.00", results[3].GetProperty("transaction").GetProperty("origin_account").GetProperty("balance").GetString());
        Assert.Equal(2, body.GetProperty("succeeded").GetInt32());
        Assert.Equal("100.00", await w.Api.BalanceAsync(w.Bob.Token, w.BobAccount));

        // The same batch again: every item the ledger decided answers from its key, nothing moves twice.
        // (An item refused before it reached the ledger, like the unknown account, is checked afresh.)
        var again = await BatchAsync(w, transfers);
        Assert.Equal([true, true, false, true], again.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("replayed").GetBoolean()));
        Assert.Equal(results.Select(r => r.GetRawText()), again.GetProperty("results").EnumerateArray().Select(r => r.GetRawText().Replace("\"replayed\":true", "\"replayed\":false", StringComparison.Ordinal)));
        Assert.Equal("100.00", await w.Api.BalanceAsync(w.Bob.Token, w.BobAccount));
        Assert.Equal(3, await app.WithDbAsync(db => db.Transactions.CountAsync())); // the deposit and two transfers
        Assert.True((await w.Api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task An_atomic_batch_is_made_whole_or_not_at_all()
    {
        var w = await FundedAsync("100.00");
        await using var app = w.App;
        var refused = await BatchAsync(w, [Item(w.AliceAccount, w.BobAccount, "30.00"), Item(w.AliceAccount, w.BobAccount, "80.00")], atomic: true);
        Assert.Equal([422, 400], refused.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("status").GetInt32()));
        Assert.Equal("100.00", await w.Api.BalanceAsync(w.Alice.Token, w.AliceAccount));

        var invalid = await BatchAsync(w, [Item(w.AliceAccount, w.BobAccount, "30.00"), Item(w.AliceAccount, w.BobAccount, "-1")], atomic: true);
        Assert.Equal(0, invalid.GetProperty("succeeded").GetInt32());
        Assert.Equal("100.00", await w.Api.BalanceAsync(w.Alice.Token, w.AliceAccount));

        var made = await BatchAsync(w, [Item(w.AliceAccount, w.BobAccount, "30.00"), Item(w.AliceAccount, w.BobAccount, "70.00")], atomic: true);
        Assert.Equal(2, made.GetProperty("succeeded").GetInt32());
        Assert.Equal("0.00", await w.Api.BalanceAsync(w.Alice.Token, w.AliceAccount));
        Assert.True((await w.Api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task A_batch_holds_one_to_a_thousand_transfers_and_one_key_once()
    {
        var w = await FundedAsync("2000.00");
        await using var app = w.App;
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync("/api/v1/transactions/batch", new { transfers = Array.Empty<object>() }, w.Alice.Token), HttpStatusCode.UnprocessableEntity);
        var tooMany = Enumerable.Range(0, 1001).Select(_ => Item(w.AliceAccount, w.BobAccount, "1.00")).ToArray();
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync("/api/v1/transactions/batch", new { transfers = tooMany }, w.Alice.Token), HttpStatusCode.UnprocessableEntity);

        // A thousand from one account at once is what velocity monitoring holds for review; this account is a payroll account.
        await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/risk/rules",
            new { velocity = new { hour_count = 5000, day_count = 5000 } }, w.Admin.Token);
        var thousand = Enumerable.Range(0, 1000).Select(i => Item(w.AliceAccount, w.BobAccount, "1.00", i == 999 ? "k0" : $"k{i}")).ToArray();
        var body = await BatchAsync(w, thousand);
        Assert.Equal(999, body.GetProperty("succeeded").GetInt32());
        Assert.Equal(409, body.GetProperty("results")[999].GetProperty("status").GetInt32()); // k0 twice in one batch
        Assert.Equal("999.00", await w.Api.BalanceAsync(w.Bob.Token, w.BobAccount));
        Assert.True((await w.Api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task Concurrent_transfers_share_database_transactions_and_each_gets_its_own_answer()
    {
        var w = await FundedAsync("50.00");
        await using var app = w.App;
        // 200 transfers of 1.00 from a 50.00 wallet, 32 at a time: exactly 50 succeed, the rest are refused one by one.
        using var gate = new SemaphoreSlim(32);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                using var response = await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "1.00", $"t{i}");
                return response.StatusCode;
            }
            finally
            {
                gate.Release();
            }
        }));
        Assert.Equal(50, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(150, statuses.Count(s => s == HttpStatusCode.BadRequest));
        Assert.Equal("50.00", await w.Api.BalanceAsync(w.Bob.Token, w.BobAccount));
        // Entries written by one batch share its timestamp: more than one per timestamp shows they were grouped.
        var largestGroup = await app.WithDbAsync(db => db.JournalEntries.GroupBy(e => e.CreatedAt).Select(g => g.Count()).MaxAsync());
        Assert.True(largestGroup > 1, $"no two transfers were committed together (largest group {largestGroup})");
        Assert.True((await w.Api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }
}

public sealed class BatchTransferTestsOnSqlite() : BatchTransferTests(DatabaseKind.Sqlite);

public sealed class BatchTransferTestsOnPostgres() : BatchTransferTests(DatabaseKind.Postgres), IPostgresTests;
