namespace Finsoft.Ledger;

/// <summary>The closed set of ways a ledger operation can be refused.</summary>
public enum LedgerErrorCode
{
    InvalidAmount,
    InvalidClabe,
    CurrencyMismatch,
    SameAccount,
    InsufficientFunds,
    OriginNotFound,
    DestinationNotFound,
    AccountNotFound,
    TransactionNotFound,
    DestinationNotVerified,
    AccountNotEmpty,
    NotReversible,
    AlreadyReversed,
    IllegalTransition,
    Unbalanced,
    Overflow,
    BatchAborted,
    LimitNotMet,

    /// <summary>The user is under a compliance review (a watch-list match) and moves no money until an analyst decides.</summary>
    ComplianceReview,

    /// <summary>Transaction monitoring judged the movement too risky to make.</summary>
    RiskBlocked,

    /// <summary>The movement is dated in a closed fiscal period, which takes no postings but its own closing entry.</summary>
    PeriodClosed,
}

/// <summary>A business outcome that refuses an operation, with the text the API shows.</summary>
public sealed record LedgerError(LedgerErrorCode Code, string Message)
{
    public static LedgerError InvalidAmount(string message) => new(LedgerErrorCode.InvalidAmount, message);

    public static readonly LedgerError InsufficientFunds = new(LedgerErrorCode.InsufficientFunds, "Insufficient balance in origin account");
    public static readonly LedgerError OriginNotFound = new(LedgerErrorCode.OriginNotFound, "Origin account not found");
    public static readonly LedgerError DestinationNotFound = new(LedgerErrorCode.DestinationNotFound, "Destination account not found");
    public static readonly LedgerError AccountNotFound = new(LedgerErrorCode.AccountNotFound, "Account not found");
    public static readonly LedgerError TransactionNotFound = new(LedgerErrorCode.TransactionNotFound, "Transaction not found");
    public static readonly LedgerError SameAccount = new(LedgerErrorCode.SameAccount, "Origin and destination accounts must be different");
    public static readonly LedgerError CurrencyMismatch = new(LedgerErrorCode.CurrencyMismatch, "Origin and destination accounts must have the same currency");
    public static readonly LedgerError DestinationNotVerified = new(LedgerErrorCode.DestinationNotVerified, "Destination account is not verified");
    public static readonly LedgerError AccountNotEmpty = new(LedgerErrorCode.AccountNotEmpty, "Account balance must be zero, with no funds on hold, to delete it");
    public static readonly LedgerError NotReversible = new(LedgerErrorCode.NotReversible, "Only a completed transfer can be reversed");
    public static readonly LedgerError AlreadyReversed = new(LedgerErrorCode.AlreadyReversed, "Transaction has already been reversed");
    public static readonly LedgerError HoldAlreadySettled = new(LedgerErrorCode.IllegalTransition, "The hold has already been captured, voided or released");
    public static readonly LedgerError BatchAborted = new(LedgerErrorCode.BatchAborted, "Another transfer in this atomic batch was refused, so none was made");
    public static readonly LedgerError PeriodClosed = new(LedgerErrorCode.PeriodClosed,
        "The movement is dated in a closed fiscal period; reopen the period or date it in an open one");
    public static readonly LedgerError ComplianceReview = new(LedgerErrorCode.ComplianceReview,
        "The account holder is under compliance review; money cannot move until an analyst decides");
    public static readonly LedgerError ReceiverLacksFunds = new(LedgerErrorCode.InsufficientFunds, "Insufficient balance in destination account to reverse the transfer");
}
