namespace Finsoft.Api.MoneyPath.Providers;

/// <summary>A card as handed to a provider's vault: the only place its number and CVC go.</summary>
public sealed record CardToVault(string Number, int ExpMonth, int ExpYear, string Cvc, string HolderName)
{
    /// <summary>Never the number or the CVC, whatever logs this value by accident.</summary>
    public override string ToString() => $"card ending {Number[^4..]}";
}

/// <summary>What a provider gives back for a card or bank account it now keeps: a token to charge it by.</summary>
public sealed record ProviderToken(string Provider, string Token);

/// <summary>Collect <see cref="Amount"/> (minor units) from the method behind <see cref="Token"/>; <see cref="Reference"/> is ours, and the provider acts on it once.</summary>
public sealed record ChargeInstruction(Guid Reference, string Token, long Amount, string Currency, string? Description);

/// <summary>Send <see cref="Amount"/> of the payment <see cref="PaymentReference"/> back; <see cref="Reference"/> (the refund's id) is acted on once.</summary>
public sealed record RefundInstruction(Guid Reference, Guid PaymentReference, string? ProviderChargeId, long Amount, string Currency);

public enum ProviderEventKind
{
    /// <summary>A type Finsoft does not act on: acknowledged and ignored.</summary>
    Other,

    /// <summary>The provider is still working on the charge: no change.</summary>
    ChargeProcessing,
    ChargeSucceeded,
    ChargeFailed,
    RefundSucceeded,
    RefundFailed,
}

/// <summary>
/// A verified provider event, in Finsoft's words: which of our payments or refunds (<see cref="Reference"/>)
/// it is about, what happened, why it failed where it did, and the amount (minor units) and currency the
/// provider says it moved, where it says so.
/// </summary>
public sealed record ProviderEvent(string EventId, string Type, ProviderEventKind Kind, Guid? Reference, string? ProviderObjectId, string? FailureReason)
{
    public long? Amount { get; init; }

    public string? Currency { get; init; }
}

/// <summary>A webhook request as it arrived: the headers and the exact bytes the signature covers.</summary>
public sealed record WebhookDelivery(IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>
/// The port to a payment provider (a Stripe, a PayPal, a bank's pay-in rail). A real adapter calls the
/// provider's API and verifies its webhooks its own way; the built-in simulated ones keep their own books
/// and send signed events over HTTP. Finsoft stores only the token.
/// </summary>
public interface IPaymentProvider
{
    string Name { get; }

    Task<ProviderToken> VaultCardAsync(CardToVault card, CancellationToken ct);

    Task<ProviderToken> VaultBankAccountAsync(string clabe, string holderName, CancellationToken ct);

    /// <summary>Asks for the money; the outcome comes later as an event. Returns the provider's id for the charge; safe to repeat.</summary>
    Task<string> ChargeAsync(ChargeInstruction charge, CancellationToken ct);

    /// <summary>Asks for a refund; the outcome comes later as an event. Returns the provider's id for it; safe to repeat.</summary>
    Task<string> RefundAsync(RefundInstruction refund, CancellationToken ct);

    /// <summary>
    /// Checks a webhook's signature (in constant time, within the provider's tolerance of <paramref name="now"/>) and
    /// reads the event; null with the reason when it is not genuine or cannot be read.
    /// </summary>
    (ProviderEvent? Event, string? Refusal) ReadWebhook(WebhookDelivery delivery, DateTimeOffset now);
}

/// <summary>Which provider takes which kind of payment method.</summary>
public sealed class PaymentProviders(IEnumerable<IPaymentProvider> providers)
{
    public const string Cards = "simcard";
    public const string BankAccounts = "simbank";

    private readonly Dictionary<string, IPaymentProvider> _byName = providers.ToDictionary(p => p.Name, StringComparer.Ordinal);

    public IPaymentProvider ForCards => _byName[Cards];

    public IPaymentProvider ForBankAccounts => _byName[BankAccounts];

    public IPaymentProvider? Named(string name) => _byName.GetValueOrDefault(name);
}
