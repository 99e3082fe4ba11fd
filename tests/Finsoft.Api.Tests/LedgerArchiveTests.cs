using System.Net;
using System.Text.Json;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Finsoft.Api.Tests;

/// <summary>
/// Archiving old months of the journal on PostgreSQL, whose journal is partitioned by the month entries are recorded in: the
/// month is proven, detached, and what remains still proves, sums and reports as before.
/// </summary>
public sealed class LedgerArchiveTests : IPostgresTests
{
    private static readonly DateTimeOffset January = new(2026, 1, 12, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A customer's two wallets with movements recorded in January, February and March 2026; the clock left in April.</summary>
    internal sealed record History(TestApp App, ApiClient Api, TestClock Clock, ApiClient.Session Customer, Guid A, Guid B);

    internal static async Task<History> HistoryAsync(IDictionary<string, string?>? overrides = null, bool overKestrel = false)
    {
        var clock = new TestClock(January);
        var app = await TestApp.StartAsync(DatabaseKind.Postgres, overrides, overKestrel, services: s => s.AddSingleton<TimeProvider>(clock));
        var api = app.Api();
        var customer = await api.RegisterAsync();
        var (a, b) = (await api.CreateAccountAsync(customer.Token), await api.CreateAccountAsync(customer.Token));
        var admin = await api.AdminAsync();
        await api.DepositAsync(admin.Token, a, "500.00");
        // 10.00 of income in January: the balance set lower by an admin.
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/accounts/{a}", new { balance = "490.00" }, admin.Token, Guid.NewGuid().ToString());
        foreach (var (month, transfers) in new[] { (0, 3), (1, 2), (2, 1) })
        {
            if (month > 0)
            {
                clock.Advance(TimeSpan.FromDays(31));
                customer = await api.LoginAsync(customer.Email, customer.Password);
            }
            for (var i = 1; i <= transfers; i++)
            {
                Assert.Equal(HttpStatusCode.Created, (await api.TransferAsync(customer.Token, a, b, $"{month + 1}.{i:D2}")).StatusCode);
            }
        }
        clock.Advance(TimeSpan.FromDays(31)); // April 15th: January, February and March have ended
        customer = await api.LoginAsync(customer.Email, customer.Password);
        return new History(app, api, clock, customer, a, b);
    }

    private static Task<HttpResponseMessage> ArchiveAsync(ApiClient api, string token, string month) =>
        api.SendAsync(HttpMethod.Post, "/api/v1/ledger/archives", new { month }, token);

    /// <summary>The months the archive list names, oldest first.</summary>
    private static async Task<List<string>> ArchivedMonthsAsync(ApiClient api, string token) =>
        [.. (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/ledger/archives", token: token)).EnumerateArray()
            .Select(a => a.GetProperty("month").GetString()!)];

    private static async Task<JsonElement> ArchivedAsync(ApiClient api, string token, string month)
    {
        var response = await ArchiveAsync(api, token, month);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [DbFact]
    public async Task An_archived_month_leaves_the_journal_and_what_remains_proves_sums_and_reports_as_before()
    {
        var (app, api, _, customer, a, b) = await HistoryAsync();
        await using var _ = app;
        var admin = await api.AdminAsync();
        var january = await app.WithDbAsync(db => db.JournalEntries.Where(e => e.CreatedAt < new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc))
            .Select(e => e.Sequence).ToListAsync());
        var januaryPostings = await app.WithDbAsync(db => db.Postings.CountAsync(p => p.Sequence <= january.Max()));
        var (fromFebruary, fromMarch) = ("2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z");
        var (beforeFebruary, beforeMarch) = (await FactsAsync(api, admin.Token, customer.Token, a, b, fromFebruary),
            await FactsAsync(api, admin.Token, customer.Token, a, b, fromMarch));

        await Problem(HttpStatusCode.UnprocessableEntity, ArchiveAsync(api, admin.Token, "2026-02"), "oldest first");
        var archive = await ArchivedAsync(api, admin.Token, "2026-01");
        Assert.Equal((1L, january.Max(), (long)january.Count), (archive.GetProperty("first_sequence").GetInt64(), archive.GetProperty("last_sequence").GetInt64(),
            archive.GetProperty("entries").GetInt64()));
        Assert.Equal(januaryPostings, archive.GetProperty("postings").GetInt64());
        Assert.Equal("journal_entries_y2026m01", archive.GetProperty("entries_table").GetString());
        await Problem(HttpStatusCode.Conflict, ArchiveAsync(api, admin.Token, "2026-01"), "archived through 2026-01");

        // Gone from the journal, kept in the detached tables for the operator to dump.
        Assert.Equal(0, await app.WithDbAsync(db => db.JournalEntries.CountAsync(e => e.Sequence <= january.Max())));
        Assert.Equal(0, await app.WithDbAsync(db => db.Postings.CountAsync(p => p.Sequence <= january.Max())));
        Assert.Equal(january.Count, await app.WithDbAsync(db => db.Database.SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM journal_entries_y2026m01").SingleAsync()));

        // Balances, statements after the archive, the balance sheet and the verification read as before.
        Assert.Equal(beforeFebruary, await FactsAsync(api, admin.Token, customer.Token, a, b, fromFebruary));
        var verify = await api.VerifyLedgerAsync();
        Assert.True(verify.GetProperty("ok").GetBoolean(), verify.ToString());
        var archived = verify.GetProperty("covered").GetProperty("archived");
        Assert.Equal(january.Max(), archived.GetProperty("through_sequence").GetInt64());
        Assert.Equal(["2026-01-01"], archived.GetProperty("months").EnumerateArray().Select(m => m.GetString()));
        var full = await LedgerVerifyTests.VerificationAsync(api, "full");
        Assert.True(full.GetProperty("ok").GetBoolean(), full.ToString());
        Assert.Equal(january.Max(), full.GetProperty("base_sequence").GetInt64());

        // What the archive took cannot be read any more: a 422 that says so, never a wrong figure.
        await Problem(HttpStatusCode.UnprocessableEntity, api.SendAsync(HttpMethod.Get, $"/api/v1/accounts/{a}/balance?as_of=2026-01-12T10:00:00Z", token: customer.Token), "archived");
        await Problem(HttpStatusCode.UnprocessableEntity, api.SendAsync(HttpMethod.Get, $"/api/v1/accounts/{a}/statement?from=2026-01-01T00:00:00Z", token: customer.Token), "archived");

        // The next month goes the same way, on top of the first; the trail says who archived what.
        await ArchivedAsync(api, admin.Token, "2026-02");
        Assert.Equal(beforeMarch, await FactsAsync(api, admin.Token, customer.Token, a, b, fromMarch));
        await Problem(HttpStatusCode.UnprocessableEntity, api.SendAsync(HttpMethod.Get, $"/api/v1/accounts/{a}/statement?from={fromFebruary}", token: customer.Token), "archived");
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
        var trail = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/admin/audit?event=ledger.month_archived", token: admin.Token);
        Assert.Equal(2, trail.GetArrayLength());
    }

    [DbFact]
    public async Task A_year_closed_after_its_first_month_was_archived_moves_that_month_s_income_too()
    {
        var (app, api, clock, _, _, _) = await HistoryAsync();
        await using var _ = app;
        var admin = await api.AdminAsync();
        await ArchivedAsync(api, admin.Token, "2026-01");
        await Problem(HttpStatusCode.UnprocessableEntity, api.SendAsync(HttpMethod.Get, "/api/v1/reports/cash-flow", token: admin.Token), "archived");
        clock.Advance(new DateTimeOffset(2027, 1, 5, 0, 0, 0, TimeSpan.Zero) - clock.GetUtcNow()); // the year 2026 is over
        admin = await api.AdminAsync();
        var year = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/accounting/periods",
            new { name = "2026", starts_on = "2026-01-01", ends_on = "2026-12-31" }, admin.Token);
        var closed = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/accounting/periods/{year.GetProperty("id").GetGuid()}/close", token: admin.Token);
        Assert.Equal("closed", closed.GetProperty("status").GetString());
        // January's 10.00 lives only in the archive's totals now; the closing entry moved it all the same.
        var income = Finsoft.Api.Features.Reports.ChartOfAccounts.IncomeAccounts.ToList();
        var left = await app.WithDbAsync(db => db.Accounts.Where(a => a.Kind == "system" && income.Contains(a.SystemCode!)).Select(a => a.SystemCode + "=" + a.Balance).ToListAsync());
        Assert.All(left, l => Assert.EndsWith("=0", l, StringComparison.Ordinal));
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task A_month_that_does_not_verify_is_not_archived()
    {
        var (app, api, _, _, _, _) = await HistoryAsync();
        await using var _ = app;
        var admin = await api.AdminAsync();
        var second = await app.WithDbAsync(db => db.JournalEntries.SingleAsync(e => e.Sequence == 2));
        await app.WithDbAsync(db => db.Postings.Where(p => p.EntryId == second.Id && p.Amount > 0).ExecuteUpdateAsync(s => s.SetProperty(p => p.Amount, p => p.Amount + 1)));
        await Problem(HttpStatusCode.Conflict, ArchiveAsync(api, admin.Token, "2026-01"), "does not verify");
        Assert.True(await app.WithDbAsync(db => db.JournalEntries.AnyAsync(e => e.Sequence == 2)));
        Assert.Empty(await ArchivedMonthsAsync(api, admin.Token));
    }

    [DbFact]
    public async Task No_month_is_archived_on_top_of_an_archive_changed_behind_the_api()
    {
        var (app, api, _, _, _, _) = await HistoryAsync();
        await using var _ = app;
        var admin = await api.AdminAsync();
        await ArchivedAsync(api, admin.Token, "2026-01");
        // The January archive made to name a later sealed checkpoint: February would then be archived without being proven.
        var later = (await LedgerVerifyTests.VerificationAsync(api, "incremental")).GetProperty("checkpoint_id").GetGuid();
        await app.WithDbAsync(db => db.LedgerArchives.ExecuteUpdateAsync(s => s.SetProperty(a => a.CheckpointId, later)));
        await Problem(HttpStatusCode.Conflict, ArchiveAsync(api, admin.Token, "2026-02"), "names another checkpoint");
        Assert.Equal(["2026-01"], await ArchivedMonthsAsync(api, admin.Token));
    }

    [DbFact]
    public async Task A_month_rewritten_with_every_hash_after_it_is_not_archived()
    {
        var (app, api, _, _, _, _) = await HistoryAsync();
        await using var _ = app;
        var admin = await api.AdminAsync();
        await LedgerSealTests.RewriteAsync(app, 3); // a January transfer: the chain proves itself, but the head's seal is lost
        await Problem(HttpStatusCode.Conflict, ArchiveAsync(api, admin.Token, "2026-01"), "The ledger head (entry 8) does not carry");
        Assert.Empty(await ArchivedMonthsAsync(api, admin.Token));
    }

    [DbFact]
    public async Task The_retention_policy_archives_the_months_old_enough_oldest_first_and_what_remains_verifies()
    {
        var (app, api, clock, _, _, _) = await HistoryAsync(new Dictionary<string, string?> { ["Finsoft:Ledger:ArchiveMonthsOlderThan"] = "2" });
        await using var _ = app;
        var admin = await api.AdminAsync();
        var retention = app.Services.GetRequiredService<Finsoft.Api.MoneyPath.Archiving.JournalRetention>();
        Assert.Contains(retention, app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>()); // the service runs it hourly by itself

        // April 15th: January ended more than two months ago; February not yet.
        await retention.ArchiveDueAsync(CancellationToken.None);
        Assert.Equal(["2026-01"], await ArchivedMonthsAsync(api, admin.Token));
        var archive = (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/ledger/archives", token: admin.Token)).EnumerateArray().Single();
        Assert.Equal(JsonValueKind.Null, archive.GetProperty("archived_by").ValueKind); // the service's own doing, not an admin's
        Assert.Equal(0, await retention.ArchiveDueAsync(CancellationToken.None));

        clock.Advance(TimeSpan.FromDays(31)); // May 16th: February is due, March is not
        admin = await api.AdminAsync();
        await retention.ArchiveDueAsync(CancellationToken.None);
        Assert.Equal(["2026-01", "2026-02"], await ArchivedMonthsAsync(api, admin.Token));
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task Bad_months_and_months_not_over_are_refused_and_only_admins_archive()
    {
        var (app, api, clock, customer, _, _) = await HistoryAsync();
        await using var _ = app;
        var admin = await api.AdminAsync();
        await Problem(HttpStatusCode.UnprocessableEntity, ArchiveAsync(api, admin.Token, "2026-13"), "YYYY-MM");
        await Problem(HttpStatusCode.UnprocessableEntity, ArchiveAsync(api, admin.Token, "january"), "YYYY-MM");
        var thisMonth = clock.GetUtcNow().ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        await Problem(HttpStatusCode.UnprocessableEntity, ArchiveAsync(api, admin.Token, thisMonth), "a day after it ends");
        await Problem(HttpStatusCode.UnprocessableEntity, ArchiveAsync(api, admin.Token, "2025-12"), "Nothing was recorded");
        Assert.Equal(HttpStatusCode.Forbidden, (await ArchiveAsync(api, customer.Token, "2026-01")).StatusCode);
        var analyst = await api.CreateUserAsync(admin.Token, "analyst");
        Assert.Equal(HttpStatusCode.Forbidden, (await ArchiveAsync(api, analyst.Token, "2026-01")).StatusCode);
        Assert.Empty(await ArchivedMonthsAsync(api, analyst.Token));
    }

    [DbFact]
    public async Task A_month_left_in_the_default_partition_is_refused_not_a_500()
    {
        var clock = new TestClock(January);
        // Without the hourly worker, whose first pass (at start, racing the DROP below) would make January's partitions again;
        // start-up has made them before the test runs.
        await using var app = await TestApp.StartAsync(DatabaseKind.Postgres, services: s =>
        {
            s.AddSingleton<TimeProvider>(clock);
            s.Remove(s.Single(d => d.ImplementationType == typeof(Finsoft.Api.MoneyPath.Archiving.JournalPartitions)));
        });
        // January's partitions gone before anything is written: its entries land in the default ones.
        await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("DROP TABLE postings_y2026m01, journal_entries_y2026m01"));
        var api = app.Api();
        var customer = await api.RegisterAsync();
        await api.DepositAsync((await api.AdminAsync()).Token, await api.CreateAccountAsync(customer.Token), "5.00");
        clock.Advance(TimeSpan.FromDays(40));
        await Problem(HttpStatusCode.Conflict, ArchiveAsync(api, (await api.AdminAsync()).Token, "2026-01"), "default");
    }

    [DbFact]
    public async Task Sqlite_keeps_its_whole_journal()
    {
        await using var app = await TestApp.StartAsync(DatabaseKind.Sqlite);
        var api = app.Api();
        var admin = await api.AdminAsync();
        await Problem(HttpStatusCode.Conflict, ArchiveAsync(api, admin.Token, "2020-01"), "needs PostgreSQL");
    }

    /// <summary>What archiving must not change: balances at the end of March, statements from <paramref name="from"/> on, the balance sheet.</summary>
    private static async Task<string> FactsAsync(ApiClient api, string admin, string customer, Guid a, Guid b, string from)
    {
        var facts = new List<string>();
        foreach (var account in new[] { a, b })
        {
            facts.Add((await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{account}/balance?as_of=2026-03-31T00:00:00Z", token: customer))
                .GetProperty("balance").GetString()!);
            var statement = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{account}/statement?from={from}", token: customer);
            facts.Add(statement.GetProperty("opening_balance").GetString() + " " + statement.GetProperty("closing_balance").GetString() + " " + string.Join(",",
                statement.GetProperty("movements").EnumerateArray().Select(m => $"{m.GetProperty("sequence")}:{m.GetProperty("transaction_id")}:{m.GetProperty("amount")}")));
        }
        facts.Add((await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/reports/balance-sheet?as_of=2026-04-01T00:00:00Z", token: admin)).ToString());
        return string.Join("\n", facts);
    }

    private static async Task Problem(HttpStatusCode status, Task<HttpResponseMessage> request, string says)
    {
        var response = await request;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {body}");
        Assert.Contains(says, body, StringComparison.Ordinal);
    }
}
