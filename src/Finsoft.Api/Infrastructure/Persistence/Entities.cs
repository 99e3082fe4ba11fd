namespace Finsoft.Api.Infrastructure.Persistence;

using Http = Finsoft.Api.Infrastructure.Http;

// Rows as stored. Money columns are long minor units; the currency code is beside them.

public sealed class UserRow : Http.IKeyedRow
{
    public Guid Id { get; set; }

    /// <summary>Sealed under the person's key (<see cref="Security.PersonKey"/>), as every personal field is.</summary>
    public required string FullName { get; set; }
    public required string Email { get; set; }

    /// <summary>The person's data key, wrapped by the Data Protection key ring; null once shredded (ADR 0013).</summary>
    public string? DataKey { get; set; }

    /// <summary>Keyed hashes for look-ups: of the normalised email (sign-in, uniqueness) and of each name word (admin search).</summary>
    public string? EmailHash { get; set; }
    public string? NameIndex { get; set; }

    /// <summary>Erased at the person's request: cannot sign in, shown as "[erased]"; the key is destroyed at <see cref="ShredAfter"/> or at once.</summary>
    public DateTime? ErasedAt { get; set; }
    public DateTime? ShredAfter { get; set; }
    public required string PasswordHash { get; set; }
    public required string Role { get; set; }
    public bool IsActive { get; set; } = true;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>Soft delete: the row stays for the audit trail and the journal's references; the user can never sign in again.</summary>
    public DateTime? DeletedAt { get; set; }

    /// <summary>Failed sign-ins counted since <see cref="FailureWindowStart"/>; reaching the limit sets <see cref="LockedUntil"/>.</summary>
    public int FailedLogins { get; set; }
    public DateTime? FailureWindowStart { get; set; }
    public DateTime? LockedUntil { get; set; }

    /// <summary>The TOTP secret (encrypted) once enrolment is confirmed; the pending one between enable and verify.</summary>
    public string? MfaSecret { get; set; }
    public string? MfaPendingSecret { get; set; }
    public bool MfaEnabled { get; set; }

    /// <summary>The time step of the last TOTP code accepted: a code is only good for a later step, so none works twice.</summary>
    public long? MfaLastStep { get; set; }

    /// <summary>While MFA is on: <c>totp</c> (an authenticator app) or <c>sms</c> (codes sent to <see cref="MfaPhone"/>, encrypted).</summary>
    public string? MfaMethod { get; set; }
    public string? MfaPhone { get; set; }

    /// <summary>A watch-list match is open or confirmed for this user: the engine refuses to move their money.</summary>
    public bool ComplianceHold { get; set; }

    /// <summary>`low`, `medium` or `high` (see <see cref="CustomerRiskRow"/>): sets monitoring's hard limits.</summary>
    public string RiskLevel { get; set; } = "low";
}

/// <summary>One sign-in: the refresh token's hash and the revocation switch for every access token it issued.</summary>
public sealed class SessionRow
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string RefreshTokenHash { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

public static class AccountKind
{
    public const string Wallet = "wallet";
    public const string System = "system";
}

public static class NormalSide
{
    public const string Debit = "debit";
    public const string Credit = "credit";
}

/// <summary>A ledger account: a customer wallet (liability, credit-normal) or a per-currency system account.</summary>
public sealed class AccountRow : Http.IKeyedRow
{
    public Guid Id { get; set; }
    public Guid? UserId { get; set; }
    public required string Kind { get; set; }
    public string? SystemCode { get; set; }
    public string? Clabe { get; set; }
    public required string Currency { get; set; }
    public required string NormalSide { get; set; }

    /// <summary>Balance on the account's normal side, always equal to its postings.</summary>
    public long Balance { get; set; }

    /// <summary>Funds reserved by pending withdrawals and two-phase transfers; available = balance - held.</summary>
    public long Held { get; set; }

    /// <summary>The lowest the available funds may go: 0 or a minimum for wallets; none, or a negative overdraft line, for system accounts.</summary>
    public long? BalanceFloor { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? ClosedAt { get; set; }
}

public static class VerificationStatus
{
    public const string Unverified = "unverified";
    public const string Verified = "verified";
}

public sealed class DestinationAccountRow : Http.IKeyedRow
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    /// <summary>The CLABE, encrypted (<see cref="Security.SensitiveData"/>); found by <see cref="AccountNumberHash"/>.</summary>
    public required string AccountNumber { get; set; }
    public string? AccountNumberHash { get; set; }
    public required string BankCode { get; set; }
    public required string BankName { get; set; }
    public required string FriendlyName { get; set; }
    public required string HolderFullName { get; set; }
    public required string VerificationStatus { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }

    /// <summary>The holder's name matches a watch list (open or confirmed): withdrawals to it wait for an analyst.</summary>
    public bool ComplianceHold { get; set; }
}

public sealed class TransactionRow : Http.IKeyedRow
{
    public Guid Id { get; set; }
    public required string Type { get; set; }
    public required string Status { get; set; }
    public Guid? OriginAccountId { get; set; }
    public Guid? DestinationAccountId { get; set; }
    public Guid? ExternalDestinationId { get; set; }
    public long Amount { get; set; }
    public required string Currency { get; set; }
    public string? Description { get; set; }
    public Guid InitiatedBy { get; set; }
    public Guid? ReversalOfId { get; set; }
    public Guid? ReversedById { get; set; }
    public string? FailureReason { get; set; }
    public int Attempts { get; set; }

    /// <summary>For a two-phase transfer: the amount authorised and held, and when the hold lapses.</summary>
    public long? HeldAmount { get; set; }
    public DateTime? ExpiresAt { get; set; }

    /// <summary>For a withdrawal: the reference of its current instruction to the bank (a retry is a new instruction).</summary>
    public Guid? PayoutReference { get; set; }

    /// <summary>For a cross-currency transfer: what arrived, in the destination's currency, at which rate, by which quote.</summary>
    public long? CounterAmount { get; set; }
    public string? CounterCurrency { get; set; }
    public string? FxRate { get; set; }
    public Guid? FxQuoteId { get; set; }

    /// <summary>For a payment: the platform's fee, kept from the amount; for a refund: the part of that fee it gives back.</summary>
    public long? FeeAmount { get; set; }

    /// <summary>For a transaction held for a compliance review: the review, and where it stands (<see cref="ReviewStatus"/>).</summary>
    public Guid? ReviewId { get; set; }
    public string? ReviewStatus { get; set; }

    /// <summary>What transaction monitoring decided: its score, `allow` or `review`, and the rules that fired (JSON).</summary>
    public int? RiskScore { get; set; }
    public string? RiskOutcome { get; set; }
    public string? RiskRules { get; set; }

    /// <summary>The earlier day a deposit or adjustment was back-dated to (its entries count at that day's end); null for the day it was made.</summary>
    public DateOnly? ValueDate { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>A copy to change: the engine keeps the row it read under lock for the conditional update.</summary>
    public TransactionRow Copy() => (TransactionRow)MemberwiseClone();
}

public sealed class JournalEntryRow
{
    public Guid Id { get; set; }
    public long Sequence { get; set; }
    public Guid TransactionId { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>When the entry counts in the books: <see cref="CreatedAt"/>, or the end of the value date it was back-dated to.</summary>
    public DateTime EffectiveAt { get; set; }
    public required string PreviousHash { get; set; }
    public required string Hash { get; set; }
}

public sealed class PostingRow
{
    public long Id { get; set; }
    public Guid EntryId { get; set; }
    public Guid AccountId { get; set; }

    /// <summary>Signed: debit positive, credit negative.</summary>
    public long Amount { get; set; }
    public required string Currency { get; set; }

    /// <summary>Its entry's <see cref="JournalEntryRow.EffectiveAt"/>, kept here so an account's history is one index range.</summary>
    public DateTime EffectiveAt { get; set; }

    /// <summary>Its entry's <see cref="JournalEntryRow.Sequence"/>, kept here (as the two below) so a statement never reads the journal.</summary>
    public long Sequence { get; set; }

    /// <summary>Its entry's <see cref="JournalEntryRow.TransactionId"/>.</summary>
    public Guid TransactionId { get; set; }

    /// <summary>Its entry's <see cref="JournalEntryRow.CreatedAt"/>: on PostgreSQL the postings are partitioned by it, as their entries are.</summary>
    public DateTime CreatedAt { get; set; }
}

/// <summary>The single row that orders the journal: its last sequence and hash. Locking it serialises appends.</summary>
public sealed class LedgerHeadRow
{
    public int Id { get; set; }
    public long Sequence { get; set; }
    public required string LastHash { get; set; }

    /// <summary>The head's seal (<see cref="MoneyPath.Verification.LedgerSeal"/>), made with every entry appended.</summary>
    public string? Seal { get; set; }

    /// <summary>The last event position handed out; moved under the same lock, so events are numbered in commit order.</summary>
    public long EventPosition { get; set; }

    /// <summary>Moved with every change to the fiscal periods, under the same lock: see <see cref="MoneyPath.Periods.FiscalCalendar"/>.</summary>
    public long PeriodsVersion { get; set; }
}

public sealed class IdempotencyKeyRow
{
    public Guid UserId { get; set; }
    public required string Key { get; set; }
    public required string RequestHash { get; set; }
    public Guid ClaimToken { get; set; }
    public DateTime ClaimedAt { get; set; }
    public int? StatusCode { get; set; }
    public string? ResponseBody { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>The simulated bank's own book of payouts, keyed by our transaction id so a resent instruction pays once.</summary>
public sealed class SimulatedPayoutRow
{
    public Guid Reference { get; set; }
    public required string Clabe { get; set; }
    public long Amount { get; set; }
    public required string Currency { get; set; }
    public DateTime SettleAfter { get; set; }
    public string? Outcome { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? SettledAt { get; set; }
}
