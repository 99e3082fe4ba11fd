using Finsoft.Api.Host;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.MoneyPath.Settlement;

/// <summary>
/// A stand-in for an SPEI bank. It keeps its own book of payouts in the database (so it survives a
/// restart and pays each reference once), settles each after a configurable delay, and can be told
/// to reject everything. A real bank adapter replaces this class and <see cref="SimulatedBankSettlement"/>.
/// </summary>
public sealed class SimulatedBank(FinsoftDb db, IOptions<FinsoftOptions> options, TimeProvider time) : IBankConnector
{
    public async Task SubmitPayoutAsync(PayoutInstruction instruction, CancellationToken ct)
    {
        if (await db.SimulatedPayouts.AnyAsync(p => p.Reference == instruction.Reference, ct))
        {
            return; // already received: a resend after a restart pays nothing twice
        }
        var now = time.UtcNow();
        db.SimulatedPayouts.Add(new SimulatedPayoutRow
        {
            Reference = instruction.Reference, Clabe = Masked(instruction.Clabe), Amount = instruction.Amount, Currency = instruction.Currency,
            CreatedAt = now, SettleAfter = now.AddMilliseconds(options.Value.Bank.SettlementDelayMilliseconds),
            Outcome = null,
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DatabaseSetup.IsUniqueViolation(e))
        {
            db.ChangeTracker.Clear(); // another node resent it at the same moment
        }
    }

    /// <summary>The simulated bank's book lives in our database, so it keeps only the last four digits of the account it paid.</summary>
    private static string Masked(string clabe) => "**************" + clabe[^4..];

    public Task<bool> VerifyAccountAsync(string clabe, string holderName, CancellationToken ct) =>
        Task.FromResult(Clabe.Parse(clabe).IsSuccess && !string.IsNullOrWhiteSpace(holderName));
}

/// <summary>The simulated bank's clock: settles due payouts and calls the ledger back.</summary>
public sealed class SimulatedBankSettlement(IServiceScopeFactory scopes, IOptions<FinsoftOptions> options, TimeProvider time,
    ILogger<SimulatedBankSettlement> logger) : PollingWorker(time, logger)
{
    public const string Settled = "settled";
    public const string Rejected = "rejected";

    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(options.Value.Bank.PollMilliseconds);

    protected override Task RunOnceAsync(CancellationToken ct) => SettleDueAsync(ct);

    public async Task SettleDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var outcomes = scope.ServiceProvider.GetRequiredService<IPayoutOutcomes>();
        var now = Time.UtcNow();
        var due = await db.SimulatedPayouts.AsNoTracking().Where(p => p.SettledAt == null && p.SettleAfter <= now)
            .OrderBy(p => p.SettleAfter).Take(50).ToListAsync(ct);
        foreach (var payout in due)
        {
            var reject = options.Value.Bank.RejectAll;
            // The ledger is told first and the bank's book marked after: a crash in between only repeats a callback the ledger ignores.
            if (reject)
            {
                await outcomes.RejectedAsync(payout.Reference, "Rejected by the receiving bank", ct);
            }
            else
            {
                await outcomes.SettledAsync(payout.Reference, ct);
            }
            await db.SimulatedPayouts.Where(p => p.Reference == payout.Reference && p.SettledAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.SettledAt, Time.UtcNow()).SetProperty(p => p.Outcome, reject ? Rejected : Settled), ct);
        }
    }
}
