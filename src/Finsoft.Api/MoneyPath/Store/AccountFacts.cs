using System.Collections.Concurrent;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Store;

/// <summary>What never changes about an account once it exists: its kind, owner, currency and normal side.</summary>
public sealed record AccountFact(Guid Id, string Kind, Guid? UserId, string Currency, string NormalSide)
{
    public bool IsWallet => Kind == AccountKind.Wallet;
}

/// <summary>
/// Account facts, remembered once read. None of them changes after the account is created, so this
/// cache cannot go stale, on this node or any other; what can change (balance, holds, floor, closing)
/// is always read under lock.
/// </summary>
public sealed class AccountFacts
{
    private readonly ConcurrentDictionary<Guid, AccountFact> _facts = new();

    /// <summary>The facts of the given accounts; an account missing from the answer does not exist.</summary>
    public async Task<IReadOnlyDictionary<Guid, AccountFact>> GetAsync(FinsoftDb db, IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var missing = ids.Where(id => !_facts.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            var read = await db.Accounts.AsNoTracking().Where(a => missing.Contains(a.Id))
                .Select(a => new AccountFact(a.Id, a.Kind, a.UserId, a.Currency, a.NormalSide)).ToListAsync(ct);
            foreach (var fact in read)
            {
                _facts[fact.Id] = fact;
            }
        }
        return ids.Distinct().Where(_facts.ContainsKey).ToDictionary(id => id, id => _facts[id]);
    }
}
