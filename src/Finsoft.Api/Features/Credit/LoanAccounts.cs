using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Credit;

/// <summary>
/// Each loan's own receivable account: a platform account (an asset: what the borrower owes), debit-normal, floored at zero so
/// that no repayment can take it below what is owed. Its id follows from the offer, so accepting the same offer again (a
/// retry, a second node) finds the same account rather than leaving another behind.
/// </summary>
public static class LoanAccounts
{
    public static Guid IdFor(Guid offerId) => SystemAccounts.NameBasedId($"finsoft-loan-account:{offerId:N}");

    /// <summary>Creates the account in its own short transaction if it does not exist yet, before the money path locks it.</summary>
    public static async Task<Guid> EnsureAsync(FinsoftDb db, Guid offerId, Guid borrower, Currency currency, DateTime now, CancellationToken ct)
    {
        var id = IdFor(offerId);
        if (await db.Accounts.AnyAsync(a => a.Id == id, ct))
        {
            return id;
        }
        var row = new AccountRow
        {
            Id = id, UserId = borrower, Kind = AccountKind.System, SystemCode = SystemAccounts.LoansReceivable, Currency = currency.Code,
            NormalSide = NormalSide.Debit, BalanceFloor = 0, CreatedAt = now, UpdatedAt = now,
        };
        db.Accounts.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DatabaseSetup.IsUniqueViolation(e))
        {
            db.Entry(row).State = EntityState.Detached; // another request created it first: that is the account we wanted
        }
        return id;
    }
}
