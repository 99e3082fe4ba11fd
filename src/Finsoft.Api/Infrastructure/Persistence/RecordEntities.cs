namespace Finsoft.Api.Infrastructure.Persistence;

public static class RecordType
{
    public const string Income = "income";
    public const string Expense = "expense";
}

/// <summary>An income or expense the user keeps (seed 002); soft-deleted rows are out of every list and total.</summary>
public sealed class RecordRow
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }

    /// <summary>Minor units of <see cref="Currency"/>, always positive; <see cref="Type"/> gives the direction.</summary>
    public long Amount { get; set; }
    public required string Currency { get; set; }
    public required string Type { get; set; }
    public required string Category { get; set; }
    public DateOnly Date { get; set; }
    public string? Notes { get; set; }

    /// <summary>The ledger transaction this record categorises, if any.</summary>
    public Guid? TransactionId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
}
