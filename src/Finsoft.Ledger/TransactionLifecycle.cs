namespace Finsoft.Ledger;

public enum TransactionStatus
{
    Pending,
    Processing,
    Completed,
    Failed,
}

public enum TransactionType
{
    Transfer,
    Deposit,
    Withdrawal,
    Adjustment,
    Reversal,

    /// <summary>Money paid in through a payment provider (a card, a bank pay-in), less the platform's fee.</summary>
    Payment,

    /// <summary>Part or all of a payment sent back through its provider.</summary>
    Refund,

    /// <summary>A loan paid out: the loan's receivable rises with the wallet (less any origination fee, which is income).</summary>
    Loan,

    /// <summary>Money from the wallet towards a loan: its receivable falls.</summary>
    Repayment,

    /// <summary>Interest or a late fee charged on a loan: its receivable rises with income.</summary>
    Charge,

    /// <summary>A fiscal year's closing entry (its income moved to retained earnings), or the entry that undoes it when the year is reopened.</summary>
    Closing,
}

/// <summary>
/// The legal moves of a transaction (seed 001): PENDING → PROCESSING → COMPLETED | FAILED, and
/// FAILED → PENDING on retry; a two-phase transfer's hold goes PENDING → COMPLETED when captured and
/// PENDING → FAILED when voided or expired. COMPLETED is final: corrections are new transactions.
/// </summary>
public static class TransactionLifecycle
{
    public static bool CanMove(TransactionStatus from, TransactionStatus to) => (from, to) switch
    {
        (TransactionStatus.Pending, TransactionStatus.Processing) => true,
        (TransactionStatus.Pending, TransactionStatus.Completed) => true,
        (TransactionStatus.Pending, TransactionStatus.Failed) => true,
        (TransactionStatus.Processing, TransactionStatus.Completed) => true,
        (TransactionStatus.Processing, TransactionStatus.Failed) => true,
        (TransactionStatus.Failed, TransactionStatus.Pending) => true,
        _ => false,
    };

    public static Result<TransactionStatus> Move(TransactionStatus from, TransactionStatus to) =>
        CanMove(from, to)
            ? to
            : new LedgerError(LedgerErrorCode.IllegalTransition, $"A {Wire(from)} transaction cannot become {Wire(to)}.");

    public static string Wire(TransactionStatus status) => status.ToString().ToUpperInvariant();

    public static string Wire(TransactionType type) => type.ToString().ToUpperInvariant();

    public static TransactionStatus? ParseStatus(string? text) =>
        Enum.TryParse<TransactionStatus>(text, ignoreCase: true, out var s) && Enum.IsDefined(s) && !int.TryParse(text, out _) ? s : null;

    public static TransactionType? ParseType(string? text) =>
        Enum.TryParse<TransactionType>(text, ignoreCase: true, out var t) && Enum.IsDefined(t) && !int.TryParse(text, out _) ? t : null;
}
