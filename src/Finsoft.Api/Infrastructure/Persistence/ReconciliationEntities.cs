namespace Finsoft.Api.Infrastructure.Persistence;

/// <summary>One reconciliation of a bank statement against the settlement account, and how far it got.</summary>
public sealed class ReconciliationRow : Http.IKeyedRow
{
    public Guid Id { get; set; }
    public required string Currency { get; set; }
    public required string Format { get; set; }
    public required string Status { get; set; }
    public int Progress { get; set; }
    public long AmountTolerance { get; set; }
    public int DateWindowDays { get; set; }

    /// <summary>The statement as sent, until the worker has processed it.</summary>
    public string? Statement { get; set; }
    public int LineCount { get; set; }
    public int MatchedCount { get; set; }
    public string? FailureReason { get; set; }
    public DateTime? LeaseUntil { get; set; }
    public Guid CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
}

public static class ReconciliationStatus
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

/// <summary>What did not reconcile: a movement missing from the statement, a line missing from the ledger, or a disagreement.</summary>
public sealed class ReconciliationItemRow
{
    public Guid Id { get; set; }
    public Guid ReconciliationId { get; set; }
    public required string Kind { get; set; }
    public string? Detail { get; set; }
    public int? LineNumber { get; set; }
    public Guid? TransactionId { get; set; }
    public long? StatementAmount { get; set; }
    public long? LedgerAmount { get; set; }
    public DateOnly? StatementDate { get; set; }
    public DateOnly? LedgerDate { get; set; }
    public string? Reference { get; set; }
    public string? Description { get; set; }
    public string? Resolution { get; set; }
    public string? ResolutionNote { get; set; }
    public Guid? ResolvedBy { get; set; }
    public DateTime? ResolvedAt { get; set; }
}
