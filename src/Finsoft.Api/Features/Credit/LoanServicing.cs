using System.Globalization;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Finsoft.Ledger.Credit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Credit;

/// <summary>
/// Services loans as their months fall due, all through the money engine: on the due date the month's interest (on the
/// principal still owed) is charged as income and everything the charged months owe is debited from the wallet; a debit the
/// wallet cannot cover makes the month late and is tried again the next day; after the product's grace days a late month is
/// charged the late fee, once. Safe on several nodes: each write checks, under the loan account's lock, that the month still
/// stands as the pass read it (<see cref="LoanBook"/>), so a second node's attempt commits nothing.
/// </summary>
public sealed class LoanServicing(IServiceScopeFactory scopes, MoneyEngine engine, SystemAccounts system, IOptions<FinsoftOptions> options,
    TimeProvider time, ILogger<LoanServicing> logger) : PollingWorker(time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(options.Value.Credit.PollMilliseconds);

    protected override async Task RunOnceAsync(CancellationToken ct) => await ServiceDueAsync(ct);

    /// <summary>One pass over the months that fell due; returns how many money orders it made.</summary>
    public async Task<int> ServiceDueAsync(CancellationToken ct)
    {
        List<Guid> loans;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
            var now = Time.UtcNow();
            var today = DateOnly.FromDateTime(now);
            loans = await (from i in db.LoanInstallments
                           join l in db.Loans on i.LoanId equals l.Id
                           where l.Status == LoanStatus.Active && i.Status != InstallmentStatus.Paid && i.DueOn <= today
                                 && (i.CollectAfter == null || i.CollectAfter <= now)
                           group i by i.LoanId into g
                           orderby g.Min(i => i.DueOn)
                           select g.Key).Take(100).ToListAsync(ct);
        }
        var made = 0;
        foreach (var loan in loans)
        {
            try
            {
                made += await ServiceAsync(loan, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One loan's trouble (a race another node won, a wallet the engine refuses) must not hold up the others.
                Logger.LogWarning(e, "Loan {Loan} could not be serviced in this pass; it is tried again on the next", loan);
            }
        }
        return made;
    }

    /// <summary>One loan, a step at a time: a late fee that is due, then a debit of what the charged months owe, then the next month's interest.</summary>
    private async Task<int> ServiceAsync(Guid loanId, CancellationToken ct)
    {
        var made = 0;
        for (var step = 0; step < 64; step++) // each step moves one month on; a loan has at most 480 months but few fall due at once
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
            var loan = await db.Loans.AsNoTracking().FirstAsync(l => l.Id == loanId, ct);
            var months = await db.LoanInstallments.AsNoTracking().Where(i => i.LoanId == loanId).OrderBy(i => i.Number).ToListAsync(ct);
            var now = Time.UtcNow();
            var today = DateOnly.FromDateTime(now);
            var currency = Currency.Get(loan.Currency);
            if (loan.Status != LoanStatus.Active)
            {
                return made;
            }
            if (months.FirstOrDefault(m => m.Status == InstallmentStatus.Late && m.LateFee == 0 && loan.LateFee > 0
                    && m.DueOn.AddDays(loan.GraceDays) < today) is { } overdue)
            {
                var income = await system.EnsureAsync(SystemAccounts.LoanFeeIncome, currency, ct);
                made += await ChargeAsync(loan, overdue.Number, new MoneyCommand.ChargeLoan(loan.AccountId, income, new Money(loan.LateFee, currency)),
                    $"Late fee for installment {overdue.Number}", LoanBook.LateFeeCharged(loan.Id, overdue.Number, loan.LateFee), ct);
                continue;
            }
            // What is charged is collected before the next month is charged, so a pass that catches up on several months (after
            // the service was down) charges each month's interest on the principal left after the month before was paid.
            var due = LoanBook.ChargedOwed(months);
            if (due > 0 && !months.Any(m => m.Charged && m.Owed > 0 && m.CollectAfter > now))
            {
                var outcome = await engine.RunForAsync(new MoneyCommand.Repay(loan.WalletId, loan.AccountId, new Money(due, currency)), loan.UserId,
                    $"Installment of loan {loan.Id}", LoanBook.Repaid(loan.Id, due, scheduled: true), ct);
                if (outcome is MoneyOutcome.Made)
                {
                    made++;
                }
                else
                {
                    await MarkLateAsync(scope.ServiceProvider, loan, now, ct);
                }
                continue;
            }
            if (months.FirstOrDefault(m => !m.Charged && m.Status == InstallmentStatus.Scheduled && m.DueOn <= today) is { } falling)
            {
                var interest = LoanSchedule.MonthlyInterest(RepaymentAllocation.PrincipalOwed(months.Select(LoanBook.ToMonth)), decimal.Parse(loan.Apr, CultureInfo.InvariantCulture));
                var income = await system.EnsureAsync(SystemAccounts.LoanInterestIncome, currency, ct);
                made += await ChargeAsync(loan, falling.Number, new MoneyCommand.ChargeLoan(loan.AccountId, income, new Money(interest, currency)),
                    $"Interest for installment {falling.Number}", LoanBook.InterestCharged(loan.Id, falling.Number, interest), ct);
                continue;
            }
            return made;
        }
        return made;
    }

    /// <summary>Submits a charge; one of nothing (a 0% loan's interest) only marks the month due, under the same check.</summary>
    private async Task<int> ChargeAsync(LoanRow loan, int number, MoneyCommand.ChargeLoan charge, string description, MoneyOrder.FollowUp then,
        CancellationToken ct)
    {
        if (charge.Amount.Minor == 0)
        {
            await using var scope = scopes.CreateAsyncScope();
            // Nothing moves, so no engine order: a conditional update, which a payment that settled the month first makes a no-op.
            await scope.ServiceProvider.GetRequiredService<FinsoftDb>().LoanInstallments
                .Where(i => i.LoanId == loan.Id && i.Number == number && i.ChargedAt == null && i.Status == InstallmentStatus.Scheduled)
                .ExecuteUpdateAsync(i => i.SetProperty(x => x.ChargedAt, Time.UtcNow()).SetProperty(x => x.Interest, 0L)
                    .SetProperty(x => x.Status, InstallmentStatus.Due), ct);
            return 0;
        }
        return await engine.RunForAsync(charge, loan.UserId, description, then, ct) is MoneyOutcome.Made ? 1 : 0;
    }

    /// <summary>
    /// The wallet could not cover what is due: the charged months unpaid are late, and the debit is tried again tomorrow.
    /// Conditional updates, so a payment that settles a month meanwhile is never overwritten.
    /// </summary>
    private static async Task MarkLateAsync(IServiceProvider services, LoanRow loan, DateTime now, CancellationToken ct)
    {
        var db = services.GetRequiredService<FinsoftDb>();
        var ledger = services.GetRequiredService<LedgerStore>();
        await services.GetRequiredService<UnitOfWork>().RunAsync<bool>(async ct =>
        {
            var unpaid = db.LoanInstallments.Where(i => i.LoanId == loan.Id && i.ChargedAt != null && i.Status != InstallmentStatus.Paid);
            var newlyLate = await unpaid.Where(i => i.LateSince == null).ExecuteUpdateAsync(i => i.SetProperty(x => x.LateSince, now), ct);
            await unpaid.ExecuteUpdateAsync(i => i.SetProperty(x => x.Status, InstallmentStatus.Late).SetProperty(x => x.CollectAfter, now.Date.AddDays(1)), ct);
            if (newlyLate > 0)
            {
                await ledger.AppendAsync([], [], [LoanBook.LoanEvent(EventTypes.LoanInstallmentLate, loan)], ct);
            }
            return true;
        }, ct);
    }
}
