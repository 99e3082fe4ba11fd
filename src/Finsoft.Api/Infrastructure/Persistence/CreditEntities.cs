namespace Finsoft.Api.Infrastructure.Persistence;

/// <summary>A credit score as it was given: the application and features it read, the model's answer and any human review of it.</summary>
public sealed class CreditScoreRow : Http.IKeyedRow
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public Guid RequestedBy { get; set; }
    public required string Currency { get; set; }

    /// <summary>The application as the customer gave it (JSON, amounts in minor units).</summary>
    public required string Application { get; set; }

    /// <summary>Every characteristic's value as scored (JSON).</summary>
    public required string Features { get; set; }
    public int Score { get; set; }
    public double ProbabilityOfDefault { get; set; }
    public required string Grade { get; set; }
    public required string Reasons { get; set; }
    public required string ModelVersion { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public string? ReviewStatus { get; set; }
    public DateTime? ReviewRequestedAt { get; set; }
    public string? ReviewRequestNote { get; set; }
    public Guid? ReviewedBy { get; set; }
    public DateTime? ReviewedAt { get; set; }
    public string? ReviewNote { get; set; }
    public string? ReviewedGrade { get; set; }

    /// <summary>The grade offers follow: a reviewer's override, else the model's.</summary>
    public string EffectiveGrade => ReviewedGrade ?? Grade;
}

public static class CreditReviewStatus
{
    public const string Requested = "requested";
    public const string Upheld = "upheld";
    public const string Overridden = "overridden";
}

/// <summary>A loan product: its currency, limits, price per grade and how it is paid back.</summary>
public sealed class CreditProductRow : Http.IKeyedRow
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string Currency { get; set; }
    public long MinAmount { get; set; }
    public long MaxAmount { get; set; }
    public int MinTermMonths { get; set; }
    public int MaxTermMonths { get; set; }

    /// <summary>JSON object of grade to annual rate as a decimal string ({"A": "0.12"}); a grade left out gets no offer.</summary>
    public required string AprByGrade { get; set; }
    public long OriginationFee { get; set; }
    public required string Amortization { get; set; }
    public int GraceDays { get; set; }
    public long LateFee { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? ArchivedAt { get; set; }
}

/// <summary>A priced offer made to a customer from one of its scores and one product, good until it expires or is accepted.</summary>
public sealed class CreditOfferRow : Http.IKeyedRow
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public Guid ScoreId { get; set; }
    public Guid ProductId { get; set; }
    public required string Grade { get; set; }
    public required string Currency { get; set; }
    public long Amount { get; set; }
    public int TermMonths { get; set; }
    public required string Apr { get; set; }
    public required string Amortization { get; set; }

    /// <summary>The first month's installment (every month's, for equal installments, but the last).</summary>
    public long Installment { get; set; }
    public long TotalInterest { get; set; }
    public long OriginationFee { get; set; }
    public long TotalCost { get; set; }

    /// <summary>The product's late fee and grace days when the offer was made: the loan keeps them.</summary>
    public long LateFee { get; set; }
    public int GraceDays { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? AcceptedAt { get; set; }
    public Guid? LoanId { get; set; }
}

/// <summary>A loan on the ledger: its own receivable account (<see cref="AccountId"/>) holds what the borrower owes.</summary>
public sealed class LoanRow : Http.IKeyedRow
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public Guid OfferId { get; set; }
    public Guid ProductId { get; set; }
    public Guid AccountId { get; set; }
    public Guid WalletId { get; set; }
    public required string Currency { get; set; }
    public long Principal { get; set; }
    public required string Apr { get; set; }
    public int TermMonths { get; set; }
    public required string Amortization { get; set; }
    public long OriginationFee { get; set; }
    public long LateFee { get; set; }
    public int GraceDays { get; set; }
    public required string Status { get; set; }
    public Guid DisbursementId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? ClosedAt { get; set; }
}

public static class LoanStatus
{
    public const string Active = "active";
    public const string Closed = "closed";
}

/// <summary>One month of a loan's schedule and what has been charged and paid on it.</summary>
public sealed class LoanInstallmentRow
{
    public Guid LoanId { get; set; }
    public int Number { get; set; }
    public DateOnly DueOn { get; set; }
    public long Principal { get; set; }
    public long Interest { get; set; }
    public long LateFee { get; set; }
    public long PrincipalPaid { get; set; }
    public long InterestPaid { get; set; }
    public long LateFeePaid { get; set; }
    public required string Status { get; set; }
    public DateTime? ChargedAt { get; set; }
    public DateTime? LateSince { get; set; }
    public DateTime? PaidAt { get; set; }
    public DateTime? CollectAfter { get; set; }

    public bool Charged => ChargedAt is not null;

    public long Paid => PrincipalPaid + InterestPaid + LateFeePaid;

    /// <summary>What the month adds to the loan's receivable now: its principal left, and what was charged on it and is unpaid.</summary>
    public long Owed => Principal - PrincipalPaid + (Charged ? Interest - InterestPaid + LateFee - LateFeePaid : 0);
}

public static class InstallmentStatus
{
    public const string Scheduled = "scheduled";
    public const string Due = "due";
    public const string Late = "late";
    public const string Paid = "paid";
}
