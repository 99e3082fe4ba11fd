using Finsoft.Api.MoneyPath.Archiving;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Store;

/// <summary>An account's balance at a past moment, summed from its postings (never from the balance column).</summary>
public static class JournalBalance
{
    /// <summary>
    /// The balance on the account's normal side from every entry that counts before <paramref name="moment"/>
    /// (or at it, when <paramref name="inclusive"/>): by its effective time, so a back-dated entry counts on its value date. Summed by the database; a sum beyond 64 bits fails
    /// the read rather than wrapping. Archived months count by the account's total at their floor; a moment inside them throws
    /// <see cref="ArchivedHistoryException"/> (a 422).
    /// </summary>
    public static async Task<long> BalanceAtAsync(this FinsoftDb db, Guid accountId, string normalSide, DateTime moment, bool inclusive,
        CancellationToken ct)
    {
        var floor = await ArchivedHistory.FloorFromAsync(db, moment, ct);
        var archived = floor is null ? 0 : await ArchivedHistory.Totals(db, floor).Where(a => a.AccountId == accountId).SumAsync(a => a.Posted, ct);
        var postings = db.Postings.Where(p => p.AccountId == accountId);
        postings = inclusive ? postings.Where(p => p.EffectiveAt <= moment) : postings.Where(p => p.EffectiveAt < moment);
        var debits = checked(archived + await postings.SumAsync(p => p.Amount, ct)); // one range of ix_postings_account_history
        return normalSide == NormalSide.Debit ? debits : checked(-debits);
    }
}
