using System.Net;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Tests;

public abstract class LedgerVerifyTests(DatabaseKind kind)
{
    private static async Task<(TestApp App, ApiClient Api)> WithHistoryAsync(DatabaseKind kind)
    {
        var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var admin = await api.AdminAsync();
        var a = await api.CreateAccountAsync(user.Token);
        var b = await api.CreateAccountAsync(user.Token);
        await api.DepositAsync(admin.Token, a, "500.00");
        for (var i = 1; i <= 4; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await api.TransferAsync(user.Token, a, b, $"{i}.00")).StatusCode);
        }
        return (app, api);
    }

    [DbFact]
    public async Task An_untouched_ledger_verifies_with_a_zero_trial_balance()
    {
        var (app, api) = await WithHistoryAsync(kind);
        await using var _ = app;
        var report = await api.VerifyLedgerAsync();
        Assert.True(report.GetProperty("ok").GetBoolean(), report.ToString());
        Assert.Equal(5, report.GetProperty("entries_checked").GetInt64());
        var mxn = report.GetProperty("trial_balance").EnumerateArray().Single();
        Assert.Equal(mxn.GetProperty("total_debits").GetInt64(), mxn.GetProperty("total_credits").GetInt64());
    }

    [DbFact]
    public async Task An_amount_altered_behind_the_api_is_found_and_named()
    {
        var (app, api) = await WithHistoryAsync(kind);
        await using var _ = app;
        var third = await app.WithDbAsync(db => db.JournalEntries.SingleAsync(e => e.Sequence == 3));
        await app.WithDbAsync(db => db.Postings.Where(p => p.EntryId == third.Id && p.Amount > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Amount, p => p.Amount + 100)));
        var report = await api.VerifyLedgerAsync();
        Assert.False(report.GetProperty("ok").GetBoolean());
        Assert.Equal(3, report.GetProperty("first_broken_sequence").GetInt64());
        Assert.Equal(third.Id, report.GetProperty("first_broken_entry_id").GetGuid());
    }

    [DbFact]
    public async Task A_posting_given_an_unknown_currency_is_reported_not_a_500()
    {
        var (app, api) = await WithHistoryAsync(kind);
        await using var _ = app;
        var first = await app.WithDbAsync(db => db.JournalEntries.SingleAsync(e => e.Sequence == 1));
        await app.WithDbAsync(db => db.Postings.Where(p => p.EntryId == first.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Currency, "ZZZ")));
        var report = await api.VerifyLedgerAsync();
        Assert.False(report.GetProperty("ok").GetBoolean());
        Assert.Equal(1, report.GetProperty("first_broken_sequence").GetInt64());
    }

    [DbFact]
    public async Task A_deleted_entry_and_a_rewritten_balance_are_found()
    {
        var (app, api) = await WithHistoryAsync(kind);
        await using var _ = app;
        var second = await app.WithDbAsync(db => db.JournalEntries.SingleAsync(e => e.Sequence == 2));
        await app.WithDbAsync(db => db.Postings.Where(p => p.EntryId == second.Id).ExecuteDeleteAsync());
        await app.WithDbAsync(db => db.JournalEntries.Where(e => e.Id == second.Id).ExecuteDeleteAsync());
        var report = await api.VerifyLedgerAsync();
        Assert.False(report.GetProperty("ok").GetBoolean());
        Assert.Equal(3, report.GetProperty("first_broken_sequence").GetInt64());

        var (app2, api2) = await WithHistoryAsync(kind);
        await using var __ = app2;
        await app2.WithDbAsync(db => db.Accounts.Where(a => a.Kind == "wallet" && a.Balance > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Balance, a => a.Balance + 1)));
        var rewritten = await api2.VerifyLedgerAsync();
        Assert.False(rewritten.GetProperty("ok").GetBoolean());
        Assert.Contains(rewritten.GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains("postings sum to", StringComparison.Ordinal));
    }
}

public sealed class LedgerVerifyTestsOnSqlite() : LedgerVerifyTests(DatabaseKind.Sqlite);

public sealed class LedgerVerifyTestsOnPostgres() : LedgerVerifyTests(DatabaseKind.Postgres), IPostgresTests;
