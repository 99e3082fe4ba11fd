using Finsoft.Ledger;

namespace Finsoft.Api.MoneyPath.Settlement;

/// <summary>An instruction to pay out of the platform's bank account. <see cref="Reference"/> is our transaction id.</summary>
public sealed record PayoutInstruction(Guid Reference, string Clabe, string HolderName, long Amount, string Currency);

/// <summary>
/// The port to a bank (SPEI or similar). Implementations must treat <see cref="SubmitPayoutAsync"/>
/// as idempotent by reference: the ledger resends an instruction after a restart, and the bank must
/// pay it once. The outcome arrives later through <see cref="IPayoutOutcomes"/>.
/// </summary>
public interface IBankConnector
{
    Task SubmitPayoutAsync(PayoutInstruction instruction, CancellationToken ct);

    /// <summary>Confirms with the bank that the account exists and belongs to the named holder.</summary>
    Task<bool> VerifyAccountAsync(string clabe, string holderName, CancellationToken ct);

    /// <summary>The platform's settlement account statement for one day, as the bank sends it: ISO 20022 camt.053.</summary>
    Task<string> StatementAsync(DateOnly day, Currency currency, CancellationToken ct);
}

/// <summary>The ledger's side of the bank callback; safe to call more than once for the same payout.</summary>
public interface IPayoutOutcomes
{
    Task SettledAsync(Guid reference, CancellationToken ct);

    Task RejectedAsync(Guid reference, string reason, CancellationToken ct);
}
