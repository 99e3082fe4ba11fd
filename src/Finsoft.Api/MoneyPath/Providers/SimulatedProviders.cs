using System.Security.Cryptography;
using Finsoft.Api.Infrastructure.Persistence;

namespace Finsoft.Api.MoneyPath.Providers;

/// <summary>
/// A stand-in for a provider's vault. Like a real one it answers with an opaque token; unlike a real one
/// it lives in Finsoft's database, so it keeps only what it needs to behave later: the last four digits
/// and whether charges will be declined. Cards ending in 0002 (4000 0000 0000 0002, as on Stripe's test
/// cards) and bank accounts whose CLABE's account digits end in 0002 are declined.
/// </summary>
public abstract class SimulatedProvider(FinsoftDb db, TimeProvider time) : IPaymentProvider
{
    public const string DecliningSuffix = "0002";

    public abstract string Name { get; }

    protected abstract string TokenPrefix { get; }

    public Task<ProviderToken> VaultCardAsync(CardToVault card, CancellationToken ct) =>
        VaultAsync(card.Number[^4..], declines: card.Number.EndsWith(DecliningSuffix, StringComparison.Ordinal), ct);

    public Task<ProviderToken> VaultBankAccountAsync(string clabe, string holderName, CancellationToken ct) =>
        VaultAsync(clabe[^4..], declines: clabe[..17].EndsWith(DecliningSuffix, StringComparison.Ordinal), ct); // the 18th digit is the check digit

    private async Task<ProviderToken> VaultAsync(string last4, bool declines, CancellationToken ct)
    {
        var token = TokenPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        db.SimulatedVault.Add(new SimulatedVaultRow { Token = token, Provider = Name, Last4 = last4, Declines = declines, CreatedAt = time.UtcNow() });
        await db.SaveChangesAsync(ct);
        return new ProviderToken(Name, token);
    }
}

/// <summary>The Stripe-like card provider.</summary>
public sealed class SimCardProvider(FinsoftDb db, TimeProvider time) : SimulatedProvider(db, time)
{
    public override string Name => PaymentProviders.Cards;

    protected override string TokenPrefix => "tok_simcard_";
}

/// <summary>The bank pay-in provider, with its own token format.</summary>
public sealed class SimBankProvider(FinsoftDb db, TimeProvider time) : SimulatedProvider(db, time)
{
    public override string Name => PaymentProviders.BankAccounts;

    protected override string TokenPrefix => "sb_src_";
}
