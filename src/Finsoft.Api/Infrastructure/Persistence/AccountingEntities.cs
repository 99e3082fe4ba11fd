namespace Finsoft.Api.Infrastructure.Persistence;

/// <summary>
/// A fiscal period: dates whose postings close together. Closing the last period of a fiscal year moves the year's income to
/// retained earnings; until that entry is in, the period is <see cref="FiscalPeriodStatus.Closing"/> (closed to everything else).
/// </summary>
public sealed class FiscalPeriodRow
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public DateOnly StartsOn { get; set; }
    public DateOnly EndsOn { get; set; }
    public bool YearEnd { get; set; }
    public required string Status { get; set; }
    public Guid CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public Guid? ClosedBy { get; set; }
    public DateTime? ClosedAt { get; set; }
    public Guid? ReopenedBy { get; set; }
    public DateTime? ReopenedAt { get; set; }
    public string? ReopenReason { get; set; }
}

public static class FiscalPeriodStatus
{
    public const string Open = "open";
    public const string Closing = "closing";
    public const string Closed = "closed";
}
