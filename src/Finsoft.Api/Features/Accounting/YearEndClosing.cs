using Finsoft.Api.MoneyPath.Archiving;
using Finsoft.Api.Features.Reports;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Accounting;

/// <summary>
/// The closing entry of a fiscal year: in each currency, every income and expense account's balance at the end of the year's last
/// day moved to retained earnings, dated that day. The period is <c>closing</c> by then, and with it every day up to the year's end,
/// so no other posting can change those balances while they are read and moved. The entries and the period's move to <c>closed</c>
/// commit together; a year reopened and closed again moves only what changed since its last closing entry.
/// </summary>
public sealed class YearEndClosing(FinsoftDb db, MoneyEngine engine, SystemAccounts system, UnitOfWork work)
{
    /// <summary>The period was no longer closing when its entry came to be written: someone else finished or reopened it.</summary>
    public sealed class PeriodChangedException(string message) : Exception(message);

    public async Task PostAsync(FiscalPeriodRow period, CancellationToken ct)
    {
        var end = Clock.EndOf(period.EndsOn);
        var income = ChartOfAccounts.IncomeAccounts.ToArray();
        // A year ending inside the archived months cannot be closed again; one ending after them counts their totals.
        var floor = await ArchivedHistory.FloorFromAsync(db, end, ct);
        var live = await (from p in db.Postings
                          join a in db.Accounts on p.AccountId equals a.Id
                          where p.EffectiveAt <= end && a.Kind == AccountKind.System && income.Contains(a.SystemCode!)
                          group p by new { p.AccountId, p.Currency } into g
                          select new { g.Key.AccountId, g.Key.Currency, Balance = g.Sum(p => p.Amount) })
            .AsNoTracking().ToListAsync(ct);
        var archivedTotals = floor is null ? [] : await (from c in ArchivedHistory.Totals(db, floor)
                                                         join a in db.Accounts on c.AccountId equals a.Id
                                                         where a.Kind == AccountKind.System && income.Contains(a.SystemCode!)
                                                         select new { c.AccountId, a.Currency, Balance = c.Posted })
            .ToListAsync(ct);
        var balances = live.Concat(archivedTotals).GroupBy(b => (b.AccountId, b.Currency))
            .Select(g => new { g.Key.AccountId, g.Key.Currency, Balance = g.Aggregate(0L, (sum, b) => checked(sum + b.Balance)) }).ToList();
        var commands = new List<MoneyCommand>();
        foreach (var currency in balances.Where(b => b.Balance != 0).GroupBy(b => b.Currency).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var money = Currency.Get(currency.Key);
            // Each account's debits less credits, posted back out of it; retained earnings takes the sum (a credit when the year made money).
            var postings = currency.Select(b => new Posting(b.AccountId, checked(-b.Balance), money)).ToList();
            var net = currency.Aggregate(0L, (sum, b) => checked(sum + b.Balance));
            if (net != 0)
            {
                postings.Add(new Posting(await system.EnsureAsync(SystemAccounts.RetainedEarnings, money, ct), net, money));
            }
            commands.Add(new MoneyCommand.CloseBooks(postings));
        }
        if (commands.Count == 0)
        {
            await work.RunAsync<bool>(async ct => await MarkClosedAsync(db, period, ct), ct);
            return;
        }
        var refusals = new List<LedgerError>();
        var orders = commands.Select((command, i) => new MoneyOrder(command, outcome =>
        {
            if (outcome is MoneyOutcome.Refused refused)
            {
                refusals.Add(refused.Error);
            }
            return ApiResults.Ok(new { applied = outcome is MoneyOutcome.Made });
        })
        {
            ValueDate = period.EndsOn, Description = $"Closing entry of the fiscal year ending {period.EndsOn:yyyy-MM-dd} ({period.Name})",
            OnBehalfOf = period.ClosedBy,
            Then = i == 0 ? async (db, _, ct) => { await MarkClosedAsync(db, period, ct); return []; } : null,
        }).ToList();
        await engine.SubmitAsync(new EngineJob(orders, atomic: true), ct);
        if (refusals.FirstOrDefault(r => r.Code != LedgerErrorCode.BatchAborted) is { } refusal)
        {
            throw new InvalidOperationException($"The closing entry of period {period.Id} was refused: {refusal.Message}");
        }
    }

    /// <summary>
    /// Moves the period from closing to closed, in the transaction that writes its closing entry; only for the close that read
    /// the balances (its <c>closed_at</c>), so a close overtaken by a reopen and a later close posts nothing.
    /// </summary>
    private static async Task<bool> MarkClosedAsync(FinsoftDb db, FiscalPeriodRow period, CancellationToken ct)
    {
        var (id, closedAt) = (period.Id, period.ClosedAt);
        var marked = await db.FiscalPeriods.Where(p => p.Id == id && p.Status == FiscalPeriodStatus.Closing && p.ClosedAt == closedAt)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, FiscalPeriodStatus.Closed), ct);
        return marked == 1 ? true : throw new PeriodChangedException("The period was closed or reopened by someone else meanwhile.");
    }
}
