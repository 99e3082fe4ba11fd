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

/// <summary>Who may see a wallet: its owner and admins. Anyone else gets "not found", so existence does not leak.</summary>
public static class AccountAccess
{
    public static IQueryable<AccountRow> OpenWallets(this FinsoftDb db) =>
        db.Accounts.Where(a => a.Kind == AccountKind.Wallet && a.ClosedAt == null);

    /// <summary>Accounts, open or closed, this caller may look at: its own wallets; every account, system ones included, for an admin.</summary>
    public static IQueryable<AccountRow> AccountsVisibleTo(this FinsoftDb db, CurrentUser user) =>
        db.Accounts.AsNoTracking().Where(a => user.IsAdmin || (a.UserId == user.Id && a.Kind == AccountKind.Wallet));

    public static Task<AccountRow?> FindVisibleAsync(this FinsoftDb db, Guid id, CurrentUser user, CancellationToken ct) =>
        db.OpenWallets().AsNoTracking().FirstOrDefaultAsync(a => a.Id == id && (user.IsAdmin || a.UserId == user.Id), ct);
}
