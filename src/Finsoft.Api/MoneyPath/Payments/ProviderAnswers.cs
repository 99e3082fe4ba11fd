using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Providers;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Payments;

public enum AnswerOutcome
{
    Applied,

    /// <summary>An event id seen before: acknowledged, nothing changes.</summary>
    Duplicate,

    /// <summary>Not about anything of ours that is waiting for it (an unknown type, a "processing" notice, a repeat in other words): acknowledged, nothing changes.</summary>
    Ignored,

    /// <summary>
    /// It says the opposite of what the books already hold (a failure after a success, a refund refused after it was paid),
    /// or names another amount or currency: acknowledged so the provider stops sending it, nothing changes, and it is
    /// logged as an error for someone to reconcile with the provider.
    /// </summary>
    Contradicted,
}

/// <summary>
/// A verified provider event, applied through the engine: a charge's outcome settles or fails its payment, a
/// refund's outcome settles it or books it back. The planner accepts each only while the payment or refund is
/// PROCESSING, so a repeated or backward event changes nothing; the event id is recorded after, so one that
/// arrives again is answered without a look.
/// </summary>
public sealed class ProviderAnswers(FinsoftDb db, MoneyEngine engine, SystemAccounts system, TimeProvider time, ILogger<ProviderAnswers> logger)
{
    public async Task<AnswerOutcome> ApplyAsync(string provider, ProviderEvent received, CancellationToken ct)
    {
        if (await db.ProviderEvents.AnyAsync(e => e.Provider == provider && e.EventId == received.EventId, ct))
        {
            return AnswerOutcome.Duplicate;
        }
        var outcome = await DecideAsync(provider, received, ct);
        db.ProviderEvents.Add(new ProviderEventRow { Provider = provider, EventId = received.EventId, Type = received.Type, ReceivedAt = time.UtcNow() });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DatabaseSetup.IsUniqueViolation(e))
        {
            db.ChangeTracker.Clear(); // the same event, delivered twice at once: the engine let only one of them change anything
        }
        return outcome;
    }

    private async Task<AnswerOutcome> DecideAsync(string provider, ProviderEvent received, CancellationToken ct)
    {
        if (received.Reference is not { } reference)
        {
            return AnswerOutcome.Ignored;
        }
        switch (received.Kind)
        {
            case ProviderEventKind.ChargeSucceeded or ProviderEventKind.ChargeFailed:
            {
                if (await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Id == reference && p.Provider == provider, ct) is not { } payment)
                {
                    return AnswerOutcome.Ignored;
                }
                var currency = Currency.Get(payment.Currency);
                var succeeded = received.Kind == ProviderEventKind.ChargeSucceeded;
                if (succeeded && Disagrees(received, payment.Amount, payment.Currency))
                {
                    return Contradiction(provider, received, $"it collected {received.Amount} {received.Currency} for a payment of {payment.Amount} {payment.Currency}");
                }
                var outcome = succeeded
                    ? await RunAsync(new MoneyCommand.SettlePayIn(payment.Id, await ClearingAsync(currency, ct), await FeeIncomeAsync(currency, ct)),
                        PaymentBook.Succeeded(received.ProviderObjectId), ct)
                    : await RunAsync(new MoneyCommand.FailPayIn(payment.Id, Reason(received)), PaymentBook.Failed(Reason(received)), ct);
                return await SettledOtherwiseAsync(provider, received, payment.Id, succeeded, outcome, ct);
            }
            case ProviderEventKind.RefundSucceeded or ProviderEventKind.RefundFailed:
            {
                var refund = await db.Transactions.AsNoTracking().SingleOrDefaultAsync(t => t.Id == reference && t.Type == RefundType, ct);
                if (refund is null || !await db.Payments.AnyAsync(p => p.Id == refund.ReversalOfId && p.Provider == provider, ct))
                {
                    return AnswerOutcome.Ignored;
                }
                var succeeded = received.Kind == ProviderEventKind.RefundSucceeded;
                if (succeeded && Disagrees(received, refund.Amount, refund.Currency))
                {
                    return Contradiction(provider, received, $"it returned {received.Amount} {received.Currency} for a refund of {refund.Amount} {refund.Currency}");
                }
                var currency = Currency.Get(refund.Currency);
                var outcome = succeeded
                    ? await RunAsync(new MoneyCommand.SettleRefund(refund.Id), PaymentBook.RefundSucceeded, ct)
                    : await RunAsync(new MoneyCommand.FailRefund(refund.Id, refund.ReversalOfId!.Value, await ClearingAsync(currency, ct),
                        await FeeIncomeAsync(currency, ct), Reason(received)), PaymentBook.RefundFailed, ct);
                return await SettledOtherwiseAsync(provider, received, refund.Id, succeeded, outcome, ct);
            }
            default:
                return AnswerOutcome.Ignored;
        }
    }

    /// <summary>An amount or currency the event states that is not the one we asked for.</summary>
    private static bool Disagrees(ProviderEvent received, long amount, string currency) =>
        (received.Amount is { } said && said != amount) || (received.Currency is { } code && !string.Equals(code, currency, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// An event the planner found nothing in flight for: a repeat of the outcome already booked is ignored; the
    /// opposite outcome contradicts the books.
    /// </summary>
    private async Task<AnswerOutcome> SettledOtherwiseAsync(string provider, ProviderEvent received, Guid transaction, bool succeeded, AnswerOutcome outcome,
        CancellationToken ct)
    {
        if (outcome != AnswerOutcome.Ignored)
        {
            return outcome;
        }
        var status = await db.Transactions.AsNoTracking().Where(t => t.Id == transaction).Select(t => t.Status).SingleAsync(ct);
        var opposite = succeeded ? FailedStatus : CompletedStatus;
        return status == opposite ? Contradiction(provider, received, $"the books already hold it as {status}") : AnswerOutcome.Ignored;
    }

    private AnswerOutcome Contradiction(string provider, ProviderEvent received, string why)
    {
        logger.LogError("{Provider} event {EventId} ({Type}) about {Reference} contradicts the books and was not applied: {Why}. Reconcile with the provider",
            provider, received.EventId, received.Type, received.Reference, why);
        return AnswerOutcome.Contradicted;
    }

    private static readonly string FailedStatus = TransactionLifecycle.Wire(TransactionStatus.Failed);
    private static readonly string CompletedStatus = TransactionLifecycle.Wire(TransactionStatus.Completed);
    private static readonly string RefundType = TransactionLifecycle.Wire(TransactionType.Refund);

    private static string Reason(ProviderEvent e) => string.IsNullOrWhiteSpace(e.FailureReason) ? "Declined by the provider" : e.FailureReason[..Math.Min(500, e.FailureReason.Length)];

    private Task<Guid> ClearingAsync(Currency currency, CancellationToken ct) => system.EnsureAsync(SystemAccounts.ProviderClearing, currency, ct);

    private Task<Guid> FeeIncomeAsync(Currency currency, CancellationToken ct) => system.EnsureAsync(SystemAccounts.FeeIncome, currency, ct);

    /// <summary>
    /// A payment or refund no longer in flight means the event repeats or contradicts one applied before: not applied.
    /// Any other refusal means the books disagree with the provider, and the event must not be dropped: it throws,
    /// so the provider is not acknowledged and sends it again, and the warning asks for someone to look.
    /// </summary>
    private async Task<AnswerOutcome> RunAsync(MoneyCommand command, MoneyOrder.FollowUp then, CancellationToken ct)
    {
        var outcome = await engine.RunAsync(command, then, ct);
        if (outcome is not MoneyOutcome.Refused { Error: var error })
        {
            return AnswerOutcome.Applied;
        }
        if (error == MoneyRules.PaymentNotInFlight || error == MoneyRules.RefundNotInFlight)
        {
            return AnswerOutcome.Ignored;
        }
        logger.LogWarning("The provider's answer {Command} was refused: {Error}", command, error.Message);
        throw new InvalidOperationException($"The ledger refused the provider's answer {command}: {error.Message}");
    }
}
