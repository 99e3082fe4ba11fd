namespace Finsoft.Api.Infrastructure.Persistence;

/// <summary>An admin's rate for base → quote from <see cref="EffectiveAt"/> on; the rate is exact decimal text.</summary>
public sealed class FxRateRow : Http.IKeyedRow
{
    public Guid Id { get; set; }
    public required string Base { get; set; }
    public required string Quote { get; set; }
    public required string Rate { get; set; }
    public DateTime EffectiveAt { get; set; }
    public Guid CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A price promised to one user until <see cref="ExpiresAt"/>, spent by one transfer.</summary>
public sealed class FxQuoteRow
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string FromCurrency { get; set; }
    public required string ToCurrency { get; set; }
    public required string Rate { get; set; }
    public long FromAmount { get; set; }
    public long ToAmount { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? UsedAt { get; set; }
}
