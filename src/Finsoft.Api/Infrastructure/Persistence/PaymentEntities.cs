namespace Finsoft.Api.Infrastructure.Persistence;

public static class PaymentMethodType
{
    public const string Card = "card";
    public const string BankAccount = "bank_account";
}

/// <summary>A customer's card or bank account, as a provider's token and what may be shown of it; never the number itself.</summary>
public sealed class PaymentMethodRow
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string Type { get; set; }
    public required string Provider { get; set; }
    public required string Token { get; set; }
    public string? Brand { get; set; }
    public required string Last4 { get; set; }
    public int? ExpMonth { get; set; }
    public int? ExpYear { get; set; }
    public required string HolderName { get; set; }
    public string? BankName { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
}

/// <summary>The simulated providers' own vault: what they need to behave later, never a full number.</summary>
public sealed class SimulatedVaultRow
{
    public required string Token { get; set; }
    public required string Provider { get; set; }
    public required string Last4 { get; set; }
    public bool Declines { get; set; }
    public DateTime CreatedAt { get; set; }
}

public static class PaymentStatus
{
    public const string Processing = "processing";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string PartiallyRefunded = "partially_refunded";
    public const string Refunded = "refunded";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Processing, Succeeded, Failed, PartiallyRefunded, Refunded };
}

/// <summary>A pay-in through a provider: its PAYMENT transaction (same id) holds the money; this row the rest.</summary>
public sealed class PaymentRow : Http.IKeyedRow
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public Guid AccountId { get; set; }
    public Guid PaymentMethodId { get; set; }
    public required string MethodType { get; set; }
    public string? MethodBrand { get; set; }
    public required string MethodLast4 { get; set; }
    public required string Provider { get; set; }
    public string? ProviderReference { get; set; }
    public long Amount { get; set; }
    public long Fee { get; set; }
    public long AmountRefunded { get; set; }
    public required string Currency { get; set; }
    public required string Status { get; set; }
    public string? FailureReason { get; set; }
    public string? Description { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A provider event already applied.</summary>
public sealed class ProviderEventRow
{
    public required string Provider { get; set; }
    public required string EventId { get; set; }
    public required string Type { get; set; }
    public DateTime ReceivedAt { get; set; }
}

/// <summary>A charge or refund a simulated provider was asked for, once per reference.</summary>
public sealed class SimulatedChargeRow
{
    public required string Id { get; set; }
    public required string Provider { get; set; }
    public Guid Reference { get; set; }
    public required string Kind { get; set; }
    public long Amount { get; set; }
    public required string Currency { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>An event a simulated provider still has to deliver (or has delivered) to Finsoft's webhook.</summary>
public sealed class SimulatedProviderEventRow
{
    public required string Id { get; set; }
    public required string Provider { get; set; }
    public required string Payload { get; set; }
    public DateTime DueAt { get; set; }
    public int Attempts { get; set; }
    public DateTime? DeliveredAt { get; set; }
}
