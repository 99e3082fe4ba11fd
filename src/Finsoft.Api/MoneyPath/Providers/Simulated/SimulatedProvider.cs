using System.Security.Cryptography;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.MoneyPath.Providers.Simulated;

/// <summary>
/// A stand-in for a payment provider, behaving as one does from the outside: it vaults methods and answers
/// with opaque tokens, takes each charge and refund once per reference, and says how each ended later, in
/// events it signs and delivers to Finsoft's webhook over HTTP (<see cref="SimulatedEventSender"/>) — after a
/// delay, twice or out of order when configured to. Its books live in Finsoft's database (a real provider
/// keeps them on its side), holding only the last four digits of what it vaulted. Cards ending in 0002
/// (4000 0000 0000 0002, as on Stripe's test cards) and bank accounts whose CLABE's account digits end in 0002 decline.
/// </summary>
public abstract class SimulatedProvider(FinsoftDb db, IOptions<FinsoftOptions> options, ProviderSecrets secrets, TimeProvider time) : IPaymentProvider
{
    public const string DecliningSuffix = "0002";

    public abstract string Name { get; }

    protected abstract string TokenPrefix { get; }

    protected abstract string ChargePrefix { get; }

    protected abstract string RefundPrefix { get; }

    protected ProviderOptions Behaviour => options.Value.Payments.Provider(Name);

    protected string Secret => secrets.Of(Name);

    public Task<ProviderToken> VaultCardAsync(CardToVault card, CancellationToken ct) =>
        VaultAsync(card.Number[^4..], declines: card.Number.EndsWith(DecliningSuffix, StringComparison.Ordinal), ct);

    public Task<ProviderToken> VaultBankAccountAsync(string clabe, string holderName, CancellationToken ct) =>
        VaultAsync(clabe[^4..], declines: clabe[..17].EndsWith(DecliningSuffix, StringComparison.Ordinal), ct); // the 18th digit is the check digit

    public async Task<string> ChargeAsync(ChargeInstruction charge, CancellationToken ct)
    {
        var vaulted = await db.SimulatedVault.AsNoTracking().SingleOrDefaultAsync(v => v.Token == charge.Token && v.Provider == Name, ct)
            ?? throw new InvalidOperationException($"{Name} holds no payment method under that token.");
        return await TakeAsync(charge.Reference, "charge", ChargePrefix, charge.Amount, charge.Currency, id =>
        {
            var declined = vaulted.Declines || Behaviour.Decline;
            var outcome = declined
                ? Event(SimulatedOutcome.ChargeFailed, id, charge.Reference, charge.Amount, charge.Currency, "The card issuer declined the payment.")
                : Event(SimulatedOutcome.ChargeSucceeded, id, charge.Reference, charge.Amount, charge.Currency, null);
            return [Event(SimulatedOutcome.ChargeProcessing, id, charge.Reference, charge.Amount, charge.Currency, null), outcome];
        }, ct);
    }

    public Task<string> RefundAsync(RefundInstruction refund, CancellationToken ct) =>
        TakeAsync(refund.Reference, "refund", RefundPrefix, refund.Amount, refund.Currency, id =>
            [Behaviour.DeclineRefunds
                ? Event(SimulatedOutcome.RefundFailed, id, refund.Reference, refund.Amount, refund.Currency, "The provider could not return the funds.")
                : Event(SimulatedOutcome.RefundSucceeded, id, refund.Reference, refund.Amount, refund.Currency, null)], ct);

    public abstract (ProviderEvent? Event, string? Refusal) ReadWebhook(WebhookDelivery delivery, DateTimeOffset now);

    /// <summary>The headers that sign an event's body now, as the provider sends them.</summary>
    public abstract IReadOnlyDictionary<string, string> Sign(byte[] body, DateTimeOffset now);

    /// <summary>The event's body in this provider's format.</summary>
    protected abstract string Event(SimulatedOutcome outcome, string objectId, Guid reference, long amount, string currency, string? failure);

    protected static string NewId(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>
    /// Records the charge or refund once per reference and queues its events: each after the configured delay,
    /// the last one last, unless told to deliver them out of order.
    /// </summary>
    private async Task<string> TakeAsync(Guid reference, string kind, string prefix, long amount, string currency, Func<string, string[]> events,
        CancellationToken ct)
    {
        if (await db.SimulatedCharges.AsNoTracking().SingleOrDefaultAsync(c => c.Provider == Name && c.Reference == reference, ct) is { } known)
        {
            return known.Id; // asked again (a resend after a restart): the same charge, no new events
        }
        var now = time.GetUtcNow().UtcDateTime;
        var id = NewId(prefix);
        db.SimulatedCharges.Add(new SimulatedChargeRow { Id = id, Provider = Name, Reference = reference, Kind = kind, Amount = amount, Currency = currency, CreatedAt = now });
        var bodies = events(id);
        var delay = TimeSpan.FromMilliseconds(Behaviour.DelayMilliseconds);
        for (var i = 0; i < bodies.Length; i++)
        {
            var order = Behaviour.OutOfOrder ? bodies.Length - 1 - i : i;
            db.SimulatedProviderEvents.Add(new SimulatedProviderEventRow
            {
                Id = NewId("sim_evt_"), Provider = Name, Payload = bodies[i], DueAt = now + delay + TimeSpan.FromMilliseconds(50 * order),
            });
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DatabaseSetup.IsUniqueViolation(e))
        {
            db.ChangeTracker.Clear(); // another node asked at the same moment; its charge stands
            return (await db.SimulatedCharges.AsNoTracking().SingleAsync(c => c.Provider == Name && c.Reference == reference, ct)).Id;
        }
        return id;
    }

    private async Task<ProviderToken> VaultAsync(string last4, bool declines, CancellationToken ct)
    {
        var token = NewId(TokenPrefix);
        db.SimulatedVault.Add(new SimulatedVaultRow { Token = token, Provider = Name, Last4 = last4, Declines = declines, CreatedAt = time.UtcNow() });
        await db.SaveChangesAsync(ct);
        return new ProviderToken(Name, token);
    }
}

public enum SimulatedOutcome
{
    ChargeProcessing,
    ChargeSucceeded,
    ChargeFailed,
    RefundSucceeded,
    RefundFailed,
}

/// <summary>Each provider's webhook secret: configured, or made up once per process (good only while this process both sends and checks).</summary>
public sealed class ProviderSecrets(IOptions<FinsoftOptions> options)
{
    private readonly Dictionary<string, string> _madeUp = [];

    public string Of(string provider)
    {
        if (options.Value.Payments.Provider(provider).WebhookSecret is { Length: > 0 } configured)
        {
            return configured;
        }
        lock (_madeUp)
        {
            return _madeUp.TryGetValue(provider, out var secret)
                ? secret
                : _madeUp[provider] = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        }
    }
}
