namespace Finsoft.Api.Infrastructure.Persistence;

/// <summary>A customer's risk as last worked out: score, level and the factors behind it (JSON).</summary>
public sealed class CustomerRiskRow
{
    public Guid UserId { get; set; }
    public int Score { get; set; }
    public required string Level { get; set; }
    public required string Factors { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// What one account paid out (or took in by pay-ins: <see cref="Direction"/>) in one clock hour: how many movements, how much,
/// how many just under the structuring threshold.
/// </summary>
public sealed class AccountActivityRow
{
    public const string Out = "out";
    public const string In = "in";

    public Guid AccountId { get; set; }
    public DateTime Hour { get; set; }
    public required string Direction { get; set; }
    public int Movements { get; set; }
    public long Amount { get; set; }
    public int JustUnder { get; set; }
}

/// <summary>A movement transaction monitoring blocked: there is no transaction to carry the decision, so it is kept here.</summary>
public sealed class RiskBlockRow
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public Guid? UserId { get; set; }
    public required string TransactionType { get; set; }
    public long Amount { get; set; }
    public required string Currency { get; set; }
    public int Score { get; set; }
    public required string Rules { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>The monitoring rules in force (one row); <see cref="Version"/> rises with each change.</summary>
public sealed class MonitoringRulesRow
{
    public int Id { get; set; } = 1;
    public int Version { get; set; }
    public required string Document { get; set; }
    public DateTime UpdatedAt { get; set; }
    public Guid? UpdatedBy { get; set; }
}
