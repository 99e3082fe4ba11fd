using System.Net;
using System.Text.Json;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Finsoft.Api.Tests;

/// <summary>Fiscal periods: back-dated movements, closed periods that take nothing, and the year's closing entry to retained earnings.</summary>
public abstract class FiscalPeriodTests(DatabaseKind kind)
{
    /// <summary>Today, for every test here: the fiscal year 2026 has ended.</summary>
    private static readonly DateTimeOffset Today = new(2027, 2, 10, 12, 0, 0, TimeSpan.Zero);

    private const string Periods = "/api/v1/accounting/periods";
    private const string EndOf2026 = "2026-12-31T23:59:59.999999Z";

    [DbFact]
    public async Task A_closed_period_refuses_every_movement_dated_in_it_and_reopens_with_a_reason()
    {
        await using var app = await StartAsync();
        var api = app.Api();
        var admin = await api.AdminAsync();
        var customer = await api.RegisterAsync();
        var wallet = await api.CreateAccountAsync(customer.Token);
        await api.DepositAsync(admin.Token, wallet, "1000.00");

        var firstHalf = await CreateAsync(api, admin.Token, "2026 H1", "2026-01-01", "2026-06-30");
        Assert.False(firstHalf.GetProperty("year_end").GetBoolean());
        var secondHalf = await CreateAsync(api, admin.Token, "2026 H2", "2026-07-01", "2026-12-31");
        Assert.True(secondHalf.GetProperty("year_end").GetBoolean());
        var february = await CreateAsync(api, admin.Token, "2027-02", "2027-02-01", "2027-02-28");
        await api.RefusedAsync(HttpStatusCode.Conflict, "period_overlap", HttpMethod.Post, Periods,
            new { name = "overlap", starts_on = "2026-06-15", ends_on = "2026-07-15" }, admin.Token);
        await api.ExpectAsync(HttpStatusCode.UnprocessableEntity, HttpMethod.Post, Periods,
            new { name = "across the year end", starts_on = "2027-12-01", ends_on = "2028-01-31" }, admin.Token);
        await api.ExpectAsync(HttpStatusCode.UnprocessableEntity, HttpMethod.Post, Periods,
            new { name = "backwards", starts_on = "2027-05-01", ends_on = "2027-04-30" }, admin.Token);
        await api.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, Periods, new { name = "not a date", starts_on = "May", ends_on = "2027-04-30" }, admin.Token);

        var backDated = await DepositAsync(api, admin.Token, wallet, "100.00", "2026-03-15", HttpStatusCode.Created);
        Assert.Equal("2026-03-15", backDated.GetProperty("value_date").GetString());
        var closed = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"{Periods}/{Id(firstHalf)}/close", token: admin.Token);
        Assert.Equal("closed", closed.GetProperty("status").GetString());
        await api.RefusedAsync(HttpStatusCode.Conflict, "period_already_closed", HttpMethod.Post, $"{Periods}/{Id(firstHalf)}/close", token: admin.Token);
        // The trail can be filtered by the period's events (it refused them as unknown before).
        Assert.Equal(1, (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/admin/audit?event=fiscal_period.closed", token: admin.Token)).GetArrayLength());
        await api.RefusedAsync(HttpStatusCode.Conflict, "period_not_ended", HttpMethod.Post, $"{Periods}/{Id(february)}/close", token: admin.Token);

        var before = await WalletFactsAsync(app, wallet);
        await DepositAsync(api, admin.Token, wallet, "5.00", "2026-04-01", HttpStatusCode.Conflict, "period_closed");
        await DepositAsync(api, admin.Token, wallet, "5.00", "2026-06-30", HttpStatusCode.Conflict, "period_closed");
        await api.RefusedAsync(HttpStatusCode.Conflict, "period_closed", HttpMethod.Put, $"/api/v1/accounts/{wallet}",
            new { balance = "1.00", value_date = "2026-05-01" }, admin.Token, Guid.NewGuid().ToString());
        await DepositAsync(api, admin.Token, wallet, "5.00", "2027-02-11", HttpStatusCode.UnprocessableEntity); // tomorrow
        Assert.Equal(before, await WalletFactsAsync(app, wallet)); // nothing written: not a balance, not a transaction

        await DepositAsync(api, admin.Token, wallet, "20.00", "2026-07-01", HttpStatusCode.Created); // the second half is open
        await api.ExpectAsync(HttpStatusCode.UnprocessableEntity, HttpMethod.Post, $"{Periods}/{Id(firstHalf)}/reopen", new { reason = " " }, admin.Token);
        var reopened = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"{Periods}/{Id(firstHalf)}/reopen",
            new { reason = "a deposit of April was missed" }, admin.Token);
        Assert.Equal(("open", "a deposit of April was missed"), (reopened.GetProperty("status").GetString(), reopened.GetProperty("reopen_reason").GetString()));
        await api.RefusedAsync(HttpStatusCode.Conflict, "period_not_closed", HttpMethod.Post, $"{Periods}/{Id(firstHalf)}/reopen",
            new { reason = "again" }, admin.Token);
        await DepositAsync(api, admin.Token, wallet, "5.00", "2026-04-01", HttpStatusCode.Created);

        // A back-dated movement counts at the end of its value date.
        Assert.Equal("0.00", await BalanceAtAsync(api, admin.Token, wallet, "2026-03-15T00:00:00Z"));
        Assert.Equal("100.00", await BalanceAtAsync(api, admin.Token, wallet, "2026-03-16T00:00:00Z"));
        Assert.Equal("105.00", await BalanceAtAsync(api, admin.Token, wallet, "2026-04-02T00:00:00Z"));
        Assert.Equal("1125.00", await api.BalanceAsync(customer.Token, wallet));

        var listed = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, Periods, token: admin.Token);
        Assert.Equal(["2026 H1", "2026 H2", "2027-02"], listed.EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        await api.ExpectAsync(HttpStatusCode.Forbidden, HttpMethod.Get, Periods, token: customer.Token);
        var audit = await app.WithDbAsync(db => db.AuditEvents.Where(e => e.Event.StartsWith("fiscal_period.")).Select(e => e.Event).ToListAsync());
        Assert.Equal(3, audit.Count(e => e == "fiscal_period.created"));
        Assert.Equal((1, 1), (audit.Count(e => e == "fiscal_period.closed"), audit.Count(e => e == "fiscal_period.reopened")));
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task Closing_the_year_moves_its_income_to_retained_earnings_and_the_reports_agree_before_and_after()
    {
        await using var app = await StartAsync();
        var api = app.Api();
        var admin = await api.AdminAsync();
        var customer = await api.RegisterAsync();
        var (pesos, dollars) = (await api.CreateAccountAsync(customer.Token, "MXN"), await api.CreateAccountAsync(customer.Token, "USD"));
        await DepositAsync(api, admin.Token, pesos, "1000.00", "2026-02-01", HttpStatusCode.Created);
        await AdjustAsync(api, admin.Token, pesos, "900.00", "2026-05-10"); // 100.00 of income in 2026
        await DepositAsync(api, admin.Token, dollars, "10.00", "2026-03-01", HttpStatusCode.Created);
        await AdjustAsync(api, admin.Token, dollars, "7.00", "2026-06-01"); // 3.00 in 2026
        await AdjustAsync(api, admin.Token, pesos, "950.00", null); // 50.00 spent in 2027
        var firstHalf = await CreateAsync(api, admin.Token, "2026 H1", "2026-01-01", "2026-06-30");
        var secondHalf = await CreateAsync(api, admin.Token, "2026 H2", "2026-07-01", "2026-12-31");

        var reportsBefore = await ReportsAsync(api, admin.Token);
        Assert.Equal("100.00", reportsBefore.Income2026.GetProperty("net_income").GetString());
        Assert.Equal("100.00", Line(reportsBefore.SheetEnd2026, "equity", "retained_earnings"));
        Assert.Equal("50.00", Line(reportsBefore.SheetNow, "equity", "retained_earnings"));

        var closed = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"{Periods}/{Id(secondHalf)}/close", token: admin.Token);
        Assert.Equal("closed", closed.GetProperty("status").GetString());
        // The first half is still open, but a closed year closes every day up to its end.
        await DepositAsync(api, admin.Token, pesos, "1.00", "2026-03-01", HttpStatusCode.Conflict, "period_closed");
        Assert.Equal("open", (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, Periods, token: admin.Token))[0].GetProperty("status").GetString());
        // Years close in order: a later year's closing entry already moved an earlier year's income.
        var lastYear = await CreateAsync(api, admin.Token, "2025-12", "2025-12-01", "2025-12-31");
        await api.RefusedAsync(HttpStatusCode.Conflict, "later_year_closed", HttpMethod.Post, $"{Periods}/{Id(lastYear)}/close", token: admin.Token);
        // Closing it too is allowed; reopening it is not while its year stays closed.
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"{Periods}/{Id(firstHalf)}/close", token: admin.Token);
        await api.RefusedAsync(HttpStatusCode.Conflict, "later_year_closed", HttpMethod.Post, $"{Periods}/{Id(firstHalf)}/reopen", new { reason = "x" }, admin.Token);
        var reportsAfter = await ReportsAsync(api, admin.Token);
        // The income statement shows what the year earned, not where it was moved; the balance sheets do not change at all.
        Assert.Equal(reportsBefore.Income2026.GetRawText(), reportsAfter.Income2026.GetRawText());
        Assert.Equal(reportsBefore.SheetEnd2026.GetRawText(), reportsAfter.SheetEnd2026.GetRawText());
        Assert.Equal(reportsBefore.SheetNow.GetRawText(), reportsAfter.SheetNow.GetRawText());
        Assert.Equal("-50.00", reportsAfter.Income2027.GetProperty("net_income").GetString());
        // The trial balance after closing: the year's income accounts are empty, retained earnings holds what they held.
        var trial = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/reports/trial-balance?as_of={EndOf2026}&currency=MXN", token: admin.Token);
        Assert.Equal(("0.00", "100.00"), (TrialLine(trial, "adjustments"), TrialLine(trial, "retained_earnings")));
        Assert.True(trial.GetProperty("balanced").GetBoolean());
        var trialUsd = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/reports/trial-balance?as_of={EndOf2026}&currency=USD", token: admin.Token);
        Assert.Equal(("0.00", "3.00"), (TrialLine(trialUsd, "adjustments"), TrialLine(trialUsd, "retained_earnings")));
        var closings = await app.WithDbAsync(db => db.Transactions.Where(t => t.Type == "CLOSING").Select(t => new { t.Currency, t.Amount, t.ValueDate }).ToListAsync());
        Assert.Equal([("MXN", 10_000L, "2026-12-31"), ("USD", 300L, "2026-12-31")],
            closings.OrderBy(c => c.Currency).Select(c => (c.Currency, c.Amount, c.ValueDate?.ToString("yyyy-MM-dd"))));

        // Reopened, corrected and closed again: the second closing entry moves only the correction.
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"{Periods}/{Id(secondHalf)}/reopen", new { reason = "a refund of November was missed" }, admin.Token);
        await AdjustAsync(api, admin.Token, pesos, "940.00", "2026-11-30"); // 10.00 more income in 2026
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"{Periods}/{Id(secondHalf)}/close", token: admin.Token);
        trial = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/reports/trial-balance?as_of={EndOf2026}&currency=MXN", token: admin.Token);
        Assert.Equal(("0.00", "110.00"), (TrialLine(trial, "adjustments"), TrialLine(trial, "retained_earnings")));
        var income = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get,
            $"/api/v1/reports/income-statement?from=2026-01-01T00:00:00Z&as_of={EndOf2026}&currency=MXN", token: admin.Token);
        Assert.Equal("110.00", income.GetProperty("net_income").GetString());
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task A_period_closed_while_back_dated_deposits_race_into_it_takes_none_after_it_closed()
    {
        await using var app = await StartAsync();
        var api = app.Api();
        var admin = await api.AdminAsync();
        var customer = await api.RegisterAsync();
        var wallet = await api.CreateAccountAsync(customer.Token);
        var period = await CreateAsync(api, admin.Token, "2026-03", "2026-03-01", "2026-03-31");
        var deposits = Enumerable.Range(0, 60).Select(async i =>
        {
            await Task.Delay(i * 3);
            using var response = await api.SendAsync(HttpMethod.Post, "/api/v1/transactions/deposit",
                new { account_id = wallet, amount = "1.00", value_date = "2026-03-15" }, admin.Token, Guid.NewGuid().ToString());
            return response.StatusCode;
        }).ToList();
        await Task.Delay(60);
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"{Periods}/{Id(period)}/close", token: admin.Token);
        var statuses = await Task.WhenAll(deposits);
        Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        var accepted = statuses.Count(s => s == HttpStatusCode.Created);
        Assert.Equal($"{accepted}.00", await api.BalanceAsync(customer.Token, wallet));
        var closedAt = (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, Periods, token: admin.Token))[0].GetProperty("closed_at").GetDateTime();
        var written = await app.WithDbAsync(db => db.JournalEntries.Where(e => e.EffectiveAt < new DateTime(2026, 4, 1, 0, 0, 0, DateTimeKind.Utc))
            .Select(e => e.CreatedAt).ToListAsync());
        Assert.Equal(accepted, written.Count);
        Assert.All(written, at => Assert.True(at < closedAt, $"an entry written at {at:O} landed in the period closed at {closedAt:O}"));
    }

    [DbFact]
    public async Task A_period_reopened_on_another_node_takes_movements_on_this_one_at_once()
    {
        await using var nodeA = await StartAsync();
        await using var nodeB = nodeA.Sibling();
        var (apiA, apiB) = (nodeA.Api(), nodeB.Api());
        var admin = await apiA.AdminAsync();
        var customer = await apiA.RegisterAsync();
        var wallet = await apiA.CreateAccountAsync(customer.Token);
        var period = await CreateAsync(apiA, admin.Token, "2026-03", "2026-03-01", "2026-03-31");
        await apiA.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"{Periods}/{Id(period)}/close", token: admin.Token);
        await DepositAsync(apiA, admin.Token, wallet, "1.00", "2026-03-15", HttpStatusCode.Conflict, "period_closed"); // node A now knows it closed

        var adminOnB = await apiB.AdminAsync(); // node B keeps the real time: its own token
        await apiB.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"{Periods}/{Id(period)}/reopen", new { reason = "late invoice" }, adminOnB.Token);
        await DepositAsync(apiA, admin.Token, wallet, "1.00", "2026-03-15", HttpStatusCode.Created);
    }

    private async Task<TestApp> StartAsync() =>
        await TestApp.StartAsync(kind, new Dictionary<string, string?>(), services: s => s.AddSingleton<TimeProvider>(new TestClock(Today)));

    private static Guid Id(JsonElement period) => period.GetProperty("id").GetGuid();

    private static Task<JsonElement> CreateAsync(ApiClient api, string token, string name, string starts, string ends) =>
        api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, Periods, new { name, starts_on = starts, ends_on = ends }, token);

    private static async Task<JsonElement> DepositAsync(ApiClient api, string token, Guid wallet, string amount, string valueDate, HttpStatusCode status,
        string? code = null)
    {
        var body = await api.ExpectAsync(status, HttpMethod.Post, "/api/v1/transactions/deposit", new { account_id = wallet, amount, value_date = valueDate },
            token, Guid.NewGuid().ToString());
        if (code is not null)
        {
            Assert.Equal(code, body.GetProperty("error_code").GetString());
        }
        return body;
    }

    private static Task<JsonElement> AdjustAsync(ApiClient api, string token, Guid wallet, string balance, string? valueDate) =>
        api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/accounts/{wallet}", new { balance, value_date = valueDate }, token, Guid.NewGuid().ToString());

    private static async Task<string?> BalanceAtAsync(ApiClient api, string token, Guid wallet, string at) =>
        (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{wallet}/balance?as_of={at}", token: token)).GetProperty("balance").GetString();

    /// <summary>The wallet's balance and how many transactions and entries touch it: what a refused movement must leave as it was.</summary>
    private static Task<(long Balance, int Transactions, int Postings)> WalletFactsAsync(TestApp app, Guid wallet) => app.WithDbAsync(async db =>
        (await db.Accounts.Where(a => a.Id == wallet).Select(a => a.Balance).SingleAsync(),
            await db.Transactions.CountAsync(t => t.DestinationAccountId == wallet || t.OriginAccountId == wallet),
            await db.Postings.CountAsync(p => p.AccountId == wallet)));

    private sealed record Reports(JsonElement Income2026, JsonElement Income2027, JsonElement SheetEnd2026, JsonElement SheetNow);

    private static async Task<Reports> ReportsAsync(ApiClient api, string token)
    {
        Task<JsonElement> Get(string path) => api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, path, token: token);
        return new Reports(
            await Get($"/api/v1/reports/income-statement?from=2026-01-01T00:00:00Z&as_of={EndOf2026}&currency=MXN"),
            await Get("/api/v1/reports/income-statement?from=2027-01-01T00:00:00Z&as_of=2027-02-11T00:00:00Z&currency=MXN"),
            await Get($"/api/v1/reports/balance-sheet?as_of={EndOf2026}&currency=MXN"),
            await Get("/api/v1/reports/balance-sheet?as_of=2027-02-11T00:00:00Z&currency=MXN"));
    }

    private static string? Line(JsonElement sheet, string section, string account) =>
        sheet.GetProperty(section).EnumerateArray().Single(l => l.GetProperty("account").GetString() == account).GetProperty("amount").GetString();

    private static string? TrialLine(JsonElement trial, string account) =>
        trial.GetProperty("accounts").EnumerateArray().Single(l => l.GetProperty("account").GetString() == account).GetProperty("balance").GetString();
}

public sealed class FiscalPeriodTestsOnSqlite() : FiscalPeriodTests(DatabaseKind.Sqlite);

public sealed class FiscalPeriodTestsOnPostgres() : FiscalPeriodTests(DatabaseKind.Postgres), IPostgresTests;
