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
