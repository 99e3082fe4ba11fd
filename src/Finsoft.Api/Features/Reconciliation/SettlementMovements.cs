using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Finsoft.Ledger.Reconciliation;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Reconciliation;

/// <summary>
/// The settlement account's movements as the ledger booked them, for matching: each transaction's posting on the bank account
/// (positive: money came in), its booking day, and the reference the bank knows it by (a payout's reference; else its id).
/// </summary>
public static class SettlementMovements
{
    public static async Task<List<LedgerItem>> ReadAsync(FinsoftDb db, Currency currency, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var account = SystemAccounts.Id(SystemAccounts.BankSettlement, currency);
        var (start, end) = (from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        var rows = await (from p in db.Postings
                          join t in db.Transactions on p.TransactionId equals t.Id
                          where p.AccountId == account && p.CreatedAt >= start && p.CreatedAt < end
                          select new { t.Id, p.CreatedAt, p.Amount, t.PayoutReference }).AsNoTracking().ToListAsync(ct);
        return rows.Select(r => new LedgerItem(r.Id, DateOnly.FromDateTime(r.CreatedAt), r.Amount, (r.PayoutReference ?? r.Id).ToString())).ToList();
    }
}
