using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Infrastructure.Auth;

/// <summary>
/// Which rows a caller may see, asked by every feature. A customer sees the wallets it holds (the owner
/// and joint holders an admin granted) and the transactions and events that touch them; staff (viewer,
/// analyst, admin) see everything. Anyone else gets "not found", so existence does not leak. Who may act
/// on an account is asked again by the money engine, under lock.
/// </summary>
public static class RowAccess
{
    public static IQueryable<AccountRow> OpenWallets(this FinsoftDb db) =>
        db.Accounts.Where(a => a.Kind == AccountKind.Wallet && a.ClosedAt == null);

    /// <summary>Wallets the user owns or was granted: it uses them as its own.</summary>
    public static IQueryable<AccountRow> HeldBy(this IQueryable<AccountRow> accounts, FinsoftDb db, Guid userId) =>
        accounts.Where(a => a.Kind == AccountKind.Wallet
            && (a.UserId == userId || db.AccountGrants.Any(g => g.AccountId == a.Id && g.UserId == userId)));

    public static Task<bool> HoldsAsync(this FinsoftDb db, Guid userId, Guid accountId, CancellationToken ct) =>
        db.Accounts.HeldBy(db, userId).AnyAsync(a => a.Id == accountId, ct);

    /// <summary>Accounts, open or closed, this caller may look at: the wallets it holds; every account, system ones included, for staff.</summary>
    public static IQueryable<AccountRow> AccountsVisibleTo(this FinsoftDb db, CurrentUser user) =>
        user.SeesEveryAccount ? db.Accounts.AsNoTracking() : db.Accounts.AsNoTracking().HeldBy(db, user.Id);

    public static Task<AccountRow?> FindVisibleAsync(this FinsoftDb db, Guid id, CurrentUser user, CancellationToken ct) =>
        (user.SeesEveryAccount ? db.OpenWallets() : db.OpenWallets().HeldBy(db, user.Id)).AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);

    /// <summary>
    /// Transactions the caller may see: those touching an account it holds; staff see all. The held
    /// accounts are read first, so the database answers with the origin and destination indexes
    /// (a bitmap OR) instead of testing every transaction against a subquery.
    /// </summary>
    public static async Task<IQueryable<TransactionRow>> TransactionsVisibleToAsync(this FinsoftDb db, CurrentUser user, CancellationToken ct) =>
        user.SeesEveryAccount ? db.Transactions : await db.TransactionsTouchingHeldByAsync(user.Id, ct);

    public static async Task<IQueryable<TransactionRow>> TransactionsTouchingHeldByAsync(this FinsoftDb db, Guid userId, CancellationToken ct)
    {
        var held = await HeldIdsAsync(db, userId, ct);
        return db.Transactions.Where(t => held.Contains(t.OriginAccountId) || held.Contains(t.DestinationAccountId));
    }

    /// <summary>Events the caller may see: those about accounts it holds (open or closed); staff see all.</summary>
    public static async Task<IQueryable<EventRow>> EventsVisibleToAsync(this FinsoftDb db, CurrentUser user, CancellationToken ct)
    {
        if (user.SeesEveryAccount)
        {
            return db.Events;
        }
        var held = await HeldIdsAsync(db, user.Id, ct);
        return db.Events.Where(e => held.Contains(e.OriginAccountId) || held.Contains(e.DestinationAccountId));
    }

    private static async Task<List<Guid?>> HeldIdsAsync(FinsoftDb db, Guid userId, CancellationToken ct) =>
        (await db.Accounts.HeldBy(db, userId).Select(a => a.Id).ToListAsync(ct)).Cast<Guid?>().ToList();
}
