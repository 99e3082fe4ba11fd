using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;

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
