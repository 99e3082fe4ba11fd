using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Accounts;

public sealed record AccountDto(
    Guid Id, Guid? UserId, string? Clabe, string Currency, string Balance, string AvailableBalance, string Held,
    DateTime CreatedAt, DateTime UpdatedAt)
{
    public static AccountDto From(AccountRow account)
    {
        var currency = global::Finsoft.Ledger.Currency.Get(account.Currency);
        return new AccountDto(account.Id, account.UserId, account.Clabe, account.Currency,
            Money.Format(account.Balance, currency), Money.Format(account.Balance - account.Held, currency),
            Money.Format(account.Held, currency), account.CreatedAt, account.UpdatedAt);
    }
}

/// <summary>
/// Who may see a wallet: its holders (the owner and joint holders an admin granted) and staff. Anyone
/// else gets "not found", so existence does not leak.
/// </summary>
public static class AccountAccess
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
}
