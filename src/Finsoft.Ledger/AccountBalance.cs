namespace Finsoft.Ledger;

/// <summary>
/// An account's balance (on its normal side) and the funds held on it. Holds are never negative, and
/// where the account has a floor, what is available (balance − held) never drops below it: a wallet's
/// floor is 0 or a minimum balance, a system account may have none or an overdraft line (a negative
/// floor). The API's store enforces the same rule inside the SQL statement that moves the money.
/// </summary>
public readonly record struct AccountBalance(long Balance, long Held)
{
    public long Available => Balance - Held;

    public Result<AccountBalance> Apply(long balanceDelta, long heldDelta, long? floor)
    {
        long balance, held, available;
        try
        {
            balance = checked(Balance + balanceDelta);
            held = checked(Held + heldDelta);
            available = checked(balance - held);
        }
        catch (OverflowException)
        {
            return new LedgerError(LedgerErrorCode.Overflow, "The balance would leave the 64-bit range.");
        }
        if (held < 0 || (floor is { } minimum && available < minimum))
        {
            return LedgerError.InsufficientFunds;
        }
        return new AccountBalance(balance, held);
    }
}
