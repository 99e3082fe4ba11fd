namespace Finsoft.Ledger;

/// <summary>
/// An account's balance (on its normal side) and the funds held on it. A customer wallet must always
/// cover its holds: balance ≥ held ≥ 0. The API's store enforces the same rule inside one SQL UPDATE.
/// </summary>
public readonly record struct AccountBalance(long Balance, long Held)
{
    public long Available => Balance - Held;

    public Result<AccountBalance> Apply(long balanceDelta, long heldDelta, bool isWallet)
    {
        long balance, held;
        try
        {
            balance = checked(Balance + balanceDelta);
            held = checked(Held + heldDelta);
        }
        catch (OverflowException)
        {
            return new LedgerError(LedgerErrorCode.Overflow, "The balance would leave the 64-bit range.");
        }
        if (isWallet && (held < 0 || balance < held))
        {
            return LedgerError.InsufficientFunds;
        }
        return new AccountBalance(balance, held);
    }
}
