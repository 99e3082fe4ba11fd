using Finsoft.Api.MoneyPath.Archiving;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Reports;

/// <summary>
/// Trial balance, balance sheet, income statement and cash flow, computed from the journal's postings
/// (never from the balance columns), in one currency, as of any moment.
/// </summary>
public static class AccountingReports
{
    public sealed record TrialBalanceLine(string Account, string Class, string Debits, string Credits, string Balance);

    public sealed record TrialBalance(string Currency, DateTime AsOf, List<TrialBalanceLine> Accounts, string TotalDebits, string TotalCredits, bool Balanced);

    public sealed record Line(string Account, string Amount);

    public sealed record BalanceSheet(string Currency, DateTime AsOf, List<Line> Assets, List<Line> Liabilities, List<Line> Equity,
        string TotalAssets, string TotalLiabilities, string TotalEquity, bool Balanced);

    public sealed record IncomeStatement(string Currency, DateTime? From, DateTime AsOf, List<Line> Income, string NetIncome);

    public sealed record CashFlow(string Currency, DateTime? From, DateTime AsOf, string OpeningCash, List<Line> Inflows, List<Line> Outflows,
        string NetChange, string ClosingCash);

    private sealed record Totals(string Line, long Debits, long Credits);

    public static async Task<JsonBody> GetTrialBalance([FromQuery(Name = "as_of")] DateTime? asOf, string? currency, FinsoftDb db,
        IOptions<FinsoftOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (!TryPeriod(null, asOf, currency, options, time, out var money, out _, out var end, out var problem))
        {
            return problem!;
        }
        var totals = await TotalsAsync(db, money, null, end, ct);
        var lines = totals.Select(t => new TrialBalanceLine(t.Line, ChartOfAccounts.ClassOf(t.Line).ToString().ToLowerInvariant(),
            Money.Format(t.Debits, money), Money.Format(t.Credits, money), Money.Format(ChartOfAccounts.NormalBalance(t.Line, t.Debits, t.Credits), money))).ToList();
        var (debits, credits) = (totals.Sum(t => t.Debits), totals.Sum(t => t.Credits));
        return ApiResults.Ok(new TrialBalance(money.Code, end, lines, Money.Format(debits, money), Money.Format(credits, money), debits == credits));
    }

    /// <summary>Assets = liabilities + equity, where equity is what the adjustments made or lost (retained earnings).</summary>
    public static async Task<JsonBody> GetBalanceSheet([FromQuery(Name = "as_of")] DateTime? asOf, string? currency, FinsoftDb db,
        IOptions<FinsoftOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (!TryPeriod(null, asOf, currency, options, time, out var money, out _, out var end, out var problem))
        {
            return problem!;
        }
        var totals = await TotalsAsync(db, money, null, end, ct);
        List<Line> Of(AccountClass cls) => totals.Where(t => ChartOfAccounts.ClassOf(t.Line) == cls)
            .Select(t => new Line(t.Line, Money.Format(ChartOfAccounts.NormalBalance(t.Line, t.Debits, t.Credits), money))).ToList();
        long Sum(AccountClass cls) => totals.Where(t => ChartOfAccounts.ClassOf(t.Line) == cls).Sum(t => ChartOfAccounts.NormalBalance(t.Line, t.Debits, t.Credits));
        // Retained earnings: what closed years moved to its account, and the income not yet closed.
        var retained = checked(Sum(AccountClass.Income) + totals.Where(t => t.Line == SystemAccounts.RetainedEarnings)
            .Sum(t => ChartOfAccounts.NormalBalance(t.Line, t.Debits, t.Credits)));
        var equity = Of(AccountClass.Equity).Where(l => l.Account != SystemAccounts.RetainedEarnings)
            .Append(new Line(SystemAccounts.RetainedEarnings, Money.Format(retained, money))).ToList();
        var (assets, liabilities, totalEquity) = (Sum(AccountClass.Asset), Sum(AccountClass.Liability), checked(Sum(AccountClass.Equity) + Sum(AccountClass.Income)));
        return ApiResults.Ok(new BalanceSheet(money.Code, end, Of(AccountClass.Asset), Of(AccountClass.Liability), equity,
            Money.Format(assets, money), Money.Format(liabilities, money), Money.Format(totalEquity, money), assets == checked(liabilities + totalEquity)));
    }

    public static async Task<JsonBody> GetIncomeStatement(DateTime? from, [FromQuery(Name = "as_of")] DateTime? asOf, string? currency, FinsoftDb db,
        IOptions<FinsoftOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (!TryPeriod(from, asOf, currency, options, time, out var money, out var start, out var end, out var problem))
        {
            return problem!;
        }
        var totals = await TotalsAsync(db, money, start, end, ct, withClosing: false);
        var income = totals.Where(t => ChartOfAccounts.ClassOf(t.Line) == AccountClass.Income)
            .Select(t => (t.Line, Amount: ChartOfAccounts.NormalBalance(t.Line, t.Debits, t.Credits))).ToList();
        return ApiResults.Ok(new IncomeStatement(money.Code, start, end, income.Select(i => new Line(i.Line, Money.Format(i.Amount, money))).ToList(),
            Money.Format(income.Sum(i => i.Amount), money)));
    }

    /// <summary>Movements of the platform's cash (the settlement bank account) in the period, by transaction type.</summary>
    public static async Task<JsonBody> GetCashFlow(DateTime? from, [FromQuery(Name = "as_of")] DateTime? asOf, string? currency, FinsoftDb db,
        IOptions<FinsoftOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (!TryPeriod(from, asOf, currency, options, time, out var money, out var start, out var end, out var problem))
        {
            return problem!;
        }
        var cash = SystemAccounts.Id(SystemAccounts.BankSettlement, money);
        // Flows are told movement by movement: a period that reaches into the archived months cannot be.
        await ArchivedHistory.FloorFromAsync(db, start ?? DateTime.MinValue, ct);
        var opening = start is { } s ? await db.BalanceAtAsync(cash, NormalSide.Debit, s, inclusive: false, ct) : 0;
        var byType = await (from p in db.Postings
                            join t in db.Transactions on p.TransactionId equals t.Id
                            where p.AccountId == cash && p.EffectiveAt <= end && (start == null || p.EffectiveAt >= start)
                            group p by t.Type into g
                            select new { Type = g.Key, In = g.Sum(p => p.Amount > 0 ? p.Amount : 0), Out = g.Sum(p => p.Amount < 0 ? -p.Amount : 0) })
            .ToListAsync(ct);
        var net = byType.Sum(t => checked(t.In - t.Out));
        var label = (string type) => type.ToLowerInvariant() + "s";
        return ApiResults.Ok(new CashFlow(money.Code, start, end, Money.Format(opening, money),
            byType.Where(t => t.In > 0).OrderBy(t => t.Type, StringComparer.Ordinal).Select(t => new Line(label(t.Type), Money.Format(t.In, money))).ToList(),
            byType.Where(t => t.Out > 0).OrderBy(t => t.Type, StringComparer.Ordinal).Select(t => new Line(label(t.Type), Money.Format(t.Out, money))).ToList(),
            Money.Format(net, money), Money.Format(checked(opening + net), money)));
    }

    /// <summary>
    /// Debits and credits per report line, from postings whose entry counts in the period; without the years' closing entries
    /// for the income statement, which shows what the period earned rather than where it was moved.
    /// </summary>
    private static async Task<List<Totals>> TotalsAsync(FinsoftDb db, Currency money, DateTime? start, DateTime end, CancellationToken ct,
        bool withClosing = true)
    {
        // Archived months count by each account's net sum at the floor (their gross debits and credits left with them); a period
        // that starts inside them, or leaves out the closing entries they hold, cannot be told any more.
        var floor = await ArchivedHistory.FloorFromAsync(db, start ?? (withClosing ? end : DateTime.MinValue), ct);
        var code = money.Code;
        var closing = TransactionLifecycle.Wire(TransactionType.Closing);
        var postings = db.Postings.Where(p => p.Currency == code && p.EffectiveAt <= end && (start == null || p.EffectiveAt >= start));
        if (!withClosing)
        {
            postings = postings.Where(p => !db.Transactions.Any(t => t.Id == p.TransactionId && t.Type == closing));
        }
        var rows = await (from p in postings
                          join a in db.Accounts on p.AccountId equals a.Id
                          group p by new { a.Kind, a.SystemCode } into g
                          select new { g.Key.Kind, g.Key.SystemCode, Debits = g.Sum(p => p.Amount > 0 ? p.Amount : 0), Credits = g.Sum(p => p.Amount < 0 ? -p.Amount : 0) })
            .ToListAsync(ct);
        if (floor is not null && start is null)
        {
            rows.AddRange(await (from c in ArchivedHistory.Totals(db, floor)
                                 join a in db.Accounts on c.AccountId equals a.Id
                                 where a.Currency == code
                                 group c by new { a.Kind, a.SystemCode } into g
                                 select new { g.Key.Kind, g.Key.SystemCode, Debits = g.Sum(c => c.Posted > 0 ? c.Posted : 0), Credits = g.Sum(c => c.Posted < 0 ? -c.Posted : 0) })
                .ToListAsync(ct));
        }
        return rows.GroupBy(r => ChartOfAccounts.LineOf(r.Kind, r.SystemCode))
            .Select(g => new Totals(g.Key, g.Sum(r => r.Debits), g.Sum(r => r.Credits)))
            .OrderBy(t => ChartOfAccounts.ClassOf(t.Line)).ThenBy(t => t.Line, StringComparer.Ordinal).ToList();
    }

    private static bool TryPeriod(DateTime? from, DateTime? asOf, string? currency, IOptions<FinsoftOptions> options, TimeProvider time,
        out Currency money, out DateTime? start, out DateTime end, out JsonBody? problem)
    {
        var validation = new Validation();
        money = validation.Currency("currency", currency, options.Value.DefaultCurrencyValue)!;
        end = asOf?.ToUniversalTime() ?? time.UtcNow();
        start = from?.ToUniversalTime();
        if (start > end)
        {
            validation.Add("from", "from must not be after as_of.");
        }
        problem = validation.IsValid ? null : validation.Result;
        return validation.IsValid;
    }
}
