namespace Finsoft.Api.MoneyPath.Providers;

/// <summary>A card as handed to a provider's vault: the only place its number and CVC go.</summary>
public sealed record CardToVault(string Number, int ExpMonth, int ExpYear, string Cvc, string HolderName)
{
    /// <summary>Never the number or the CVC, whatever logs this value by accident.</summary>
    public override string ToString() => $"card ending {Number[^4..]}";
}

/// <summary>What a provider gives back for a card or bank account it now keeps: a token to charge it by.</summary>
public sealed record ProviderToken(string Provider, string Token);

/// <summary>
/// The port to a payment provider (a Stripe, a PayPal, a bank's pay-in rail). A real adapter calls the
/// provider's API; the built-in simulated ones keep their own vault. Finsoft stores only the token.
/// </summary>
public interface IPaymentProvider
{
    string Name { get; }

    Task<ProviderToken> VaultCardAsync(CardToVault card, CancellationToken ct);

    Task<ProviderToken> VaultBankAccountAsync(string clabe, string holderName, CancellationToken ct);
}

/// <summary>Which provider takes which kind of payment method.</summary>
public sealed class PaymentProviders(IEnumerable<IPaymentProvider> providers)
{
    public const string Cards = "simcard";
    public const string BankAccounts = "simbank";

    private readonly Dictionary<string, IPaymentProvider> _byName = providers.ToDictionary(p => p.Name, StringComparer.Ordinal);

    public IPaymentProvider ForCards => _byName[Cards];

    public IPaymentProvider ForBankAccounts => _byName[BankAccounts];
}
