using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Providers;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.MoneyPath.Payments;

/// <summary>
/// Hands payments and refunds to their providers: claims PENDING ones (PENDING → PROCESSING, a conditional
/// update, so one node wins) and asks the provider, and asks again for PROCESSING ones still unanswered after a
/// while (this process may have died before asking; providers act on each reference once), less and less
/// often: 30 s after the last ask, then 1, 2, 4 … minutes, at most every 6 hours. A payment whose charge the
/// provider has acknowledged (its reference is stored) is not asked again.
/// </summary>
public sealed class PaymentSubmission(IServiceScopeFactory scopes, IOptions<FinsoftOptions> options, TimeProvider time,
    ILogger<PaymentSubmission> logger) : PollingWorker(time, logger)
{
    private static readonly TimeSpan AskAgainAfter = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan AskAtMostEvery = TimeSpan.FromHours(6);
    private static readonly string Payment = TransactionLifecycle.Wire(TransactionType.Payment);
    private static readonly string Refund = TransactionLifecycle.Wire(TransactionType.Refund);
    private static readonly string Pending = TransactionLifecycle.Wire(TransactionStatus.Pending);
    private static readonly string Processing = TransactionLifecycle.Wire(TransactionStatus.Processing);

    private bool _askedAfterStart;

    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(options.Value.Payments.PollMilliseconds);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await SubmitAsync(askAll: !_askedAfterStart, ct);
        _askedAfterStart = true;
    }

    public async Task SubmitAsync(bool askAll, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var providers = scope.ServiceProvider.GetRequiredService<PaymentProviders>();
        var now = Time.UtcNow();
        var staleBefore = askAll ? DateTime.MaxValue : now - AskAgainAfter;
        var ours = db.Transactions.AsNoTracking().Where(t => t.Type == Payment || t.Type == Refund);
        var fresh = await ours.Where(t => t.Status == Pending).Where(ReviewStatus.NotAwaited)
            .OrderBy(t => t.CreatedAt).Take(50).ToListAsync(ct);
        // The least recently asked first, so those not yet due again never crowd out those that are.
        var unanswered = await ours.Where(t => t.Status == Processing && t.UpdatedAt < staleBefore && !db.Payments.Any(p => p.Id == t.Id && p.ProviderReference != null))
            .OrderBy(t => t.UpdatedAt).Take(50).ToListAsync(ct);
        foreach (var transaction in fresh.Concat(unanswered.Where(t => askAll || now - t.UpdatedAt >= AskAgain(t.Attempts))))
        {
            if (!await ClaimAsync(db, transaction, ct))
            {
                continue; // another node has it
            }
            var payment = await db.Payments.AsNoTracking().SingleAsync(p => p.Id == (transaction.Type == Payment ? transaction.Id : transaction.ReversalOfId), ct);
            var provider = providers.Named(payment.Provider) ?? throw new InvalidOperationException($"No provider is named {payment.Provider}.");
            if (transaction.Type == Payment)
            {
                var token = await db.PaymentMethods.AsNoTracking().Where(m => m.Id == payment.PaymentMethodId).Select(m => m.Token).SingleAsync(ct);
                var charge = await provider.ChargeAsync(new ChargeInstruction(payment.Id, token, payment.Amount, payment.Currency, payment.Description), ct);
                await db.Payments.Where(p => p.Id == payment.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.ProviderReference, charge), ct);
            }
            else
            {
                await provider.RefundAsync(new RefundInstruction(transaction.Id, payment.Id, payment.ProviderReference, transaction.Amount, transaction.Currency), ct);
            }
        }
    }

    private static TimeSpan AskAgain(int asked) => TimeSpan.FromTicks(Math.Min(AskAtMostEvery.Ticks, AskAgainAfter.Ticks << Math.Clamp(asked - 1, 0, 20)));

    /// <summary>Takes the transaction to PROCESSING if it is still as read; one conditional update, so one node wins.</summary>
    private async Task<bool> ClaimAsync(FinsoftDb db, TransactionRow transaction, CancellationToken ct)
    {
        var now = Time.UtcNow();
        return await db.Transactions.Where(t => t.Id == transaction.Id && t.Status == transaction.Status && t.UpdatedAt == transaction.UpdatedAt)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, Processing).SetProperty(t => t.UpdatedAt, now).SetProperty(t => t.Attempts, t => t.Attempts + 1), ct) == 1;
    }
}
