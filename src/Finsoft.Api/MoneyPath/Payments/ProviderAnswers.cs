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

    /// <summary>Not about anything of ours that is waiting for it (an unknown type, a "processing" notice, a late or backward move): acknowledged, nothing changes.</summary>
    Ignored,
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
                return received.Kind == ProviderEventKind.ChargeSucceeded
                    ? await RunAsync(new MoneyCommand.SettlePayIn(payment.Id, await ClearingAsync(currency, ct), await FeeIncomeAsync(currency, ct)),
                        PaymentBook.Succeeded, ct)
                    : await RunAsync(new MoneyCommand.FailPayIn(payment.Id, Reason(received)), PaymentBook.Failed(Reason(received)), ct);
            }
            case ProviderEventKind.RefundSucceeded or ProviderEventKind.RefundFailed:
            {
                var refund = await db.Transactions.AsNoTracking().SingleOrDefaultAsync(t => t.Id == reference && t.Type == RefundType, ct);
                if (refund is null || !await db.Payments.AnyAsync(p => p.Id == refund.ReversalOfId && p.Provider == provider, ct))
                {
                    return AnswerOutcome.Ignored;
                }
                var currency = Currency.Get(refund.Currency);
                return received.Kind == ProviderEventKind.RefundSucceeded
                    ? await RunAsync(new MoneyCommand.SettleRefund(refund.Id), PaymentBook.RefundSucceeded, ct)
                    : await RunAsync(new MoneyCommand.FailRefund(refund.Id, refund.ReversalOfId!.Value, await ClearingAsync(currency, ct), await FeeIncomeAsync(currency, ct), Reason(received)),
                        PaymentBook.RefundFailed, ct);
            }
            default:
                return AnswerOutcome.Ignored;
        }
    }

    private static readonly string RefundType = TransactionLifecycle.Wire(TransactionType.Refund);

    private static string Reason(ProviderEvent e) => string.IsNullOrWhiteSpace(e.FailureReason) ? "Declined by the provider" : e.FailureReason[..Math.Min(500, e.FailureReason.Length)];

    private Task<Guid> ClearingAsync(Currency currency, CancellationToken ct) => system.EnsureAsync(SystemAccounts.ProviderClearing, currency, ct);

    private Task<Guid> FeeIncomeAsync(Currency currency, CancellationToken ct) => system.EnsureAsync(SystemAccounts.FeeIncome, currency, ct);

    /// <summary>
    /// A payment or refund no longer in flight means the event repeats or contradicts one applied before: ignored.
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
