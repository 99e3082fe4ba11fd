using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;

namespace Finsoft.Api.MoneyPath.Outbox;

/// <summary>An account's floor as the API shows it: in the limits response and in `account.limits_changed`.</summary>
public sealed record AccountLimitsView(Guid AccountId, string Currency, string? MinimumBalance, string? OverdraftLimit, string Available)
{
    public static AccountLimitsView Of(AccountRow a)
    {
        var currency = global::Finsoft.Ledger.Currency.Get(a.Currency);
        string? Format(long? minor) => minor is { } m ? Money.Format(m, currency) : null;
        return new AccountLimitsView(a.Id, a.Currency,
            MinimumBalance: a.BalanceFloor is > 0 ? Format(a.BalanceFloor) : null,
            OverdraftLimit: a.BalanceFloor is < 0 ? Format(-a.BalanceFloor) : null,
            Available: Money.Format(a.Balance - a.Held, currency));
    }
}
