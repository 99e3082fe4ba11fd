using System.Globalization;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Ledger;
using Finsoft.Ledger.Credit;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Credit;

/// <summary>
/// What a loan's months record of the money the engine moved: written in the engine's batch transaction, under the lock of the
/// loan's receivable account, right after the journal entry. Each write checks that the months still stand as the order
/// assumed (another node or payment may have got there first: then nothing commits and the next pass reads again), and that
/// afterwards the receivable holds exactly what the months owe.
/// </summary>
public static class LoanBook
{
    /// <summary>The books of a loan disagree with its months, or a month moved on before this write: nothing of the batch commits.</summary>
    public sealed class LoanChangedException(string message) : Exception(message);

    public static MonthOwed ToMonth(LoanInstallmentRow r) =>
        new(r.Number, r.Charged, r.Principal, r.Interest, r.LateFee, r.PrincipalPaid, r.InterestPaid, r.LateFeePaid);

    /// <summary>
    /// The accepted offer's loan and months go in with its payout. One loan per score: the score's row is locked first (a no-op
    /// update), so of two acceptances at once the second sees the first's and commits nothing.
    /// </summary>
    public static MoneyOrder.FollowUp Disbursed(LoanRow loan, Guid scoreId, IReadOnlyList<LoanInstallmentRow> months) => async (db, transaction, ct) =>
    {
        var now = transaction.CreatedAt;
        await db.CreditScores.Where(s => s.Id == scoreId).ExecuteUpdateAsync(s => s.SetProperty(x => x.ExpiresAt, x => x.ExpiresAt), ct);
        if (await db.CreditOffers.AnyAsync(o => o.ScoreId == scoreId && o.AcceptedAt != null, ct))
        {
            throw new LoanChangedException($"A loan was taken on score {scoreId} already.");
        }
        var taken = await db.CreditOffers.Where(o => o.Id == loan.OfferId && o.AcceptedAt == null)
            .ExecuteUpdateAsync(o => o.SetProperty(x => x.AcceptedAt, now).SetProperty(x => x.LoanId, loan.Id), ct);
        if (taken == 0)
        {
            throw new LoanChangedException($"Offer {loan.OfferId} was accepted already.");
        }
        db.Loans.Add(Copy(loan, transaction.Id, now));
        await db.SaveChangesAsync(ct); // the loan before its months, which refer to it
        db.LoanInstallments.AddRange(months.Select(Copy));
        await db.SaveChangesAsync(ct);
        return [];
    };

    /// <summary>
    /// A payment spread over the months: the borrower's own, or (<paramref name="scheduled"/>) the worker's debit of everything the
    /// charged months owe, which must still be exactly the amount debited.
    /// </summary>
    public static MoneyOrder.FollowUp Repaid(Guid loanId, long amount, bool scheduled = false) => async (db, transaction, ct) =>
    {
        var (loan, months) = await LoadAsync(db, loanId, ct);
        if (scheduled && ChargedOwed(months) != amount)
        {
            throw new LoanChangedException($"Loan {loanId} no longer owes {amount} on its months due.");
        }
        var allocation = RepaymentAllocation.Allocate(months.Select(ToMonth).ToList(), amount);
        if (!allocation.IsSuccess)
        {
            throw new LoanChangedException($"Loan {loanId}: {allocation.Error!.Message}");
        }
        foreach (var part in allocation.Value)
        {
            var month = months.Single(m => m.Number == part.Number);
            month.PrincipalPaid += part.Principal;
            month.InterestPaid += part.Interest;
            month.LateFeePaid += part.LateFee;
        }
        var events = Settle(loan, months, transaction.CreatedAt);
        await SaveCheckedAsync(db, loan, months, ct);
        return events;
    };

    /// <summary>A month falls due: its interest, on the principal the loan still owes, is charged.</summary>
    public static MoneyOrder.FollowUp InterestCharged(Guid loanId, int number, long interest) => async (db, transaction, ct) =>
    {
        var (loan, months) = await LoadAsync(db, loanId, ct);
        var month = months.Single(m => m.Number == number);
        if (month.Charged || month.Status != InstallmentStatus.Scheduled)
        {
            throw new LoanChangedException($"Installment {number} of loan {loanId} is charged already.");
        }
        // Worked out before the lock: a payment since then lowered the principal the interest is due on.
        var due = LoanSchedule.MonthlyInterest(RepaymentAllocation.PrincipalOwed(months.Select(ToMonth)), decimal.Parse(loan.Apr, CultureInfo.InvariantCulture));
        if (due != interest)
        {
            throw new LoanChangedException($"Installment {number} of loan {loanId} is now due {due} of interest, not {interest}.");
        }
        (month.Interest, month.ChargedAt, month.Status) = (interest, transaction.CreatedAt, InstallmentStatus.Due);
        var events = Settle(loan, months, transaction.CreatedAt);
        await SaveCheckedAsync(db, loan, months, ct);
        return events;
    };

    /// <summary>A month still unpaid after the grace days is charged the product's late fee, once.</summary>
    public static MoneyOrder.FollowUp LateFeeCharged(Guid loanId, int number, long fee) => async (db, transaction, ct) =>
    {
        var (loan, months) = await LoadAsync(db, loanId, ct);
        var month = months.Single(m => m.Number == number);
        if (month.Status != InstallmentStatus.Late || month.LateFee != 0)
        {
            throw new LoanChangedException($"Installment {number} of loan {loanId} is not late, or was charged its fee already.");
        }
        month.LateFee = fee;
        await SaveCheckedAsync(db, loan, months, ct);
        return [];
    };

    /// <summary>The loan and its months, tracked, as the batch's transaction sees them under the receivable's lock.</summary>
    private static async Task<(LoanRow Loan, List<LoanInstallmentRow> Months)> LoadAsync(FinsoftDb db, Guid loanId, CancellationToken ct) =>
        (await db.Loans.FirstAsync(l => l.Id == loanId, ct),
            await db.LoanInstallments.Where(i => i.LoanId == loanId).OrderBy(i => i.Number).ToListAsync(ct));

    /// <summary>
    /// Months that owe nothing more are paid (one paid off before it fell due is never charged interest); a loan whose months
    /// owe nothing at all is closed, whatever months it had left.
    /// </summary>
    private static List<PendingEvent> Settle(LoanRow loan, List<LoanInstallmentRow> months, DateTime at)
    {
        var cleared = months.Sum(m => m.Owed) == 0;
        foreach (var month in months.Where(m => m.Status != InstallmentStatus.Paid && m.Owed == 0 && (cleared || m.Charged || m.PrincipalPaid == m.Principal)))
        {
            if (!month.Charged)
            {
                month.Interest = 0;
            }
            (month.Status, month.PaidAt, month.CollectAfter) = (InstallmentStatus.Paid, at, null);
        }
        if (!cleared || loan.Status == LoanStatus.Closed)
        {
            return [];
        }
        (loan.Status, loan.ClosedAt, loan.UpdatedAt) = (LoanStatus.Closed, at, at);
        return [LoanEvent(EventTypes.LoanClosed, loan)];
    }

    /// <summary>What the months already charged still owe: what a scheduled debit takes.</summary>
    public static long ChargedOwed(IEnumerable<LoanInstallmentRow> months) => months.Where(m => m.Charged).Sum(m => m.Owed);

    public static PendingEvent LoanEvent(string type, LoanRow loan) =>
        new(type, loan.AccountId, loan.WalletId, Infrastructure.Http.Json.Serialize(new { loan_id = loan.Id, user_id = loan.UserId, status = loan.Status }));

    /// <summary>Saves the months and checks the invariant: the receivable account (already moved by this batch) holds what they owe.</summary>
    private static async Task SaveCheckedAsync(FinsoftDb db, LoanRow loan, List<LoanInstallmentRow> months, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        var receivable = await db.Accounts.AsNoTracking().Where(a => a.Id == loan.AccountId).Select(a => a.Balance).FirstAsync(ct);
        var owed = months.Sum(m => m.Owed);
        if (receivable != owed)
        {
            throw new LoanChangedException($"Loan {loan.Id}: the receivable holds {receivable} but its months owe {owed}.");
        }
    }

    private static LoanRow Copy(LoanRow l, Guid disbursement, DateTime now) => new()
    {
        Id = l.Id, UserId = l.UserId, OfferId = l.OfferId, ProductId = l.ProductId, AccountId = l.AccountId, WalletId = l.WalletId, Currency = l.Currency,
        Principal = l.Principal, Apr = l.Apr, TermMonths = l.TermMonths, Amortization = l.Amortization, OriginationFee = l.OriginationFee,
        LateFee = l.LateFee, GraceDays = l.GraceDays, Status = LoanStatus.Active, DisbursementId = disbursement, CreatedAt = now, UpdatedAt = now,
    };

    private static LoanInstallmentRow Copy(LoanInstallmentRow r) => new()
    {
        LoanId = r.LoanId, Number = r.Number, DueOn = r.DueOn, Principal = r.Principal, Interest = r.Interest, Status = InstallmentStatus.Scheduled,
    };
}
