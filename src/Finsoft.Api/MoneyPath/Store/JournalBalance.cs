using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Store;

/// <summary>An account's balance at a past moment, summed from its postings (never from the balance column).</summary>
public static class JournalBalance
{
    /// <summary>
    /// The balance on the account's normal side from every entry that counts before <paramref name="moment"/>
    /// (or at it, when <paramref name="inclusive"/>): by its effective time, so a back-dated entry counts on its value date. Summed by the database; a sum beyond 64 bits fails
    /// the read rather than wrapping.
    /// </summary>
    public static async Task<long> BalanceAtAsync(this FinsoftDb db, Guid accountId, string normalSide, DateTime moment, bool inclusive,
        CancellationToken ct)
    {
        var entries = inclusive ? db.JournalEntries.Where(e => e.EffectiveAt <= moment) : db.JournalEntries.Where(e => e.EffectiveAt < moment);
        var debits = await db.Postings.Where(p => p.AccountId == accountId && entries.Any(e => e.Id == p.EntryId)).SumAsync(p => p.Amount, ct);
        return normalSide == NormalSide.Debit ? debits : checked(-debits);
    }
}
