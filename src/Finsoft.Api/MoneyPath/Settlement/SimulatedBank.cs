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

    public const string MissingLine = "missing_line";
    public const string WrongAmount = "wrong_amount";

    /// <summary>
    /// The day's statement: the payouts this bank paid (debits, by their reference) and the money that came into the account
    /// (the deposits Finsoft booked, which stand for transfers received; credits, by transaction id). The faults named in
    /// <c>Finsoft:Bank:StatementFaults</c> are planted so that reconciliation has something to find: the first payout left
    /// out (<c>missing_line</c>), or the first line a unit off (<c>wrong_amount</c>).
    /// </summary>
    public async Task<string> StatementAsync(DateOnly day, Currency currency, CancellationToken ct)
    {
        var (start, end) = (day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        var paid = await db.SimulatedPayouts.AsNoTracking()
            .Where(p => p.Currency == currency.Code && p.Outcome == SimulatedBankSettlement.Settled && p.SettledAt >= start && p.SettledAt < end)
            .OrderBy(p => p.SettledAt).Select(p => new { p.Reference, p.Amount }).ToListAsync(ct);
        var deposit = TransactionLifecycle.Wire(TransactionType.Deposit);
        var received = await db.Transactions.AsNoTracking()
            .Where(t => t.Type == deposit && t.Currency == currency.Code && t.CreatedAt >= start && t.CreatedAt < end)
            .OrderBy(t => t.CreatedAt).Select(t => new { t.Id, t.Amount }).ToListAsync(ct);
        var lines = received.Select(r => (Amount: r.Amount, Reference: r.Id.ToString(), Description: "Transfer received"))
            .Concat(paid.Select(p => (Amount: -p.Amount, Reference: p.Reference.ToString(), Description: "SPEI payout"))).ToList();
        var faults = options.Value.Bank.StatementFaults;
        if (faults.Contains(MissingLine) && lines.FindIndex(l => l.Amount < 0) is >= 0 and var payout)
        {
            lines.RemoveAt(payout);
        }
        if (faults.Contains(WrongAmount) && lines.Count > 0)
        {
            lines[0] = lines[0] with { Amount = lines[0].Amount + 1 };
        }
        var statement = new Finsoft.Ledger.Reconciliation.BankStatement(currency,
            lines.Select((l, i) => new Finsoft.Ledger.Reconciliation.StatementLine(i + 1, day, l.Amount, l.Reference, l.Description)).ToList());
        return Finsoft.Ledger.Reconciliation.Camt053Writer.Write(statement, "FINSOFT-SETTLEMENT-" + currency.Code, $"SIM-{day:yyyyMMdd}-{currency.Code}", time.UtcNow());
    }
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
