using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Credit;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Credit;

/// <summary>
/// Reads what a customer's own history in Finsoft says about them, in the application's currency: balances day by day from
/// the journal, money coming in, overdrafts, their own records, failed and reversed movements, and how earlier loans went.
/// </summary>
public static class CreditHistory
{
    private const int BalanceDays = 90;
    private const int InflowMonths = 6;
    private const int MovementDays = 30 * InflowMonths;
    private static readonly string Failed = TransactionLifecycle.Wire(TransactionStatus.Failed);
    private static readonly string LoanType = TransactionLifecycle.Wire(TransactionType.Loan);

    /// <summary>The application's own figures, as the scorecard reads them.</summary>
    public sealed record Application(long MonthlyIncome, long MonthlyExpenses, int EmploymentMonths, long RequestedAmount, int TermMonths, string Purpose);

    /// <param name="customerSince">When the customer signed up.</param>
    public static async Task<CreditProfile> ProfileAsync(FinsoftDb db, Guid userId, DateTime customerSince, Currency currency, Application application,
        DateTime now, CancellationToken ct)
    {
        var income = (double)application.MonthlyIncome;
        var wallets = await db.Accounts.AsNoTracking()
            .Where(a => a.Kind == AccountKind.Wallet && a.UserId == userId && a.Currency == currency.Code)
            .Select(a => new { a.Id, a.Balance }).ToListAsync(ct);
        var ids = wallets.Select(w => w.Id).ToList();
        var nullableIds = ids.Cast<Guid?>().ToList();

        // Every posting on the wallets in the longest window read (180 days): balances use the last 90 days of them, inflows all.
        var movementsSince = now.AddDays(-MovementDays);
        var postings = ids.Count == 0 ? [] : await (from p in db.Postings
                                                    join t in db.Transactions on p.TransactionId equals t.Id
                                                    where ids.Contains(p.AccountId) && p.CreatedAt > movementsSince
                                                    select new { p.AccountId, p.Amount, p.CreatedAt, t.Type, t.OriginAccountId }).ToListAsync(ct);
        var balanceSince = now.AddDays(-BalanceDays);
        var days = DailyBalances(wallets.ToDictionary(w => w.Id, w => w.Balance),
            postings.Where(p => p.CreatedAt > balanceSince).Select(p => (p.AccountId, Delta: -p.Amount, p.CreatedAt)).ToList(), now); // a wallet is credit-normal
        // Money coming in from outside the customer's own wallets, a loan paid out excepted.
        var inflows = postings.Where(p => p.Amount < 0 && p.Type != LoanType && !nullableIds.Contains(p.OriginAccountId)).Select(p => p.CreatedAt).ToList();

        var today = DateOnly.FromDateTime(now);
        var recordsSince = today.AddDays(-BalanceDays);
        var records = await db.Records.AsNoTracking()
            .Where(r => r.UserId == userId && r.Currency == currency.Code && r.DeletedAt == null && r.Date > recordsSince && r.Date <= today)
            .GroupBy(r => r.Type).Select(g => new { Type = g.Key, Total = g.Sum(r => r.Amount) }).ToListAsync(ct);
        var recordedIncome = records.FirstOrDefault(r => r.Type == "income")?.Total ?? 0;
        var recordedExpenses = records.FirstOrDefault(r => r.Type == "expense")?.Total ?? 0;

        var failedOrReversed = ids.Count == 0 ? 0 : await db.Transactions.AsNoTracking()
            .CountAsync(t => (nullableIds.Contains(t.OriginAccountId) || nullableIds.Contains(t.DestinationAccountId)) && t.CreatedAt > movementsSince
                && (t.Status == Failed || t.ReversedById != null), ct);
        var loans = await db.Loans.AsNoTracking().Where(l => l.UserId == userId)
            .Select(l => new { Closed = l.Status == LoanStatus.Closed, Late = db.LoanInstallments.Count(i => i.LoanId == l.Id && i.LateSince != null) })
            .ToListAsync(ct);

        return new CreditProfile
        {
            DebtToIncome = Round(application.MonthlyExpenses / income), LoanToIncome = Round(application.RequestedAmount / income),
            EmploymentMonths = application.EmploymentMonths, TermMonths = application.TermMonths, Purpose = application.Purpose,
            BalanceToIncome = Round(days.Average / income), MinBalanceToIncome = Round(days.Minimum / income),
            InflowMonths = Enumerable.Range(0, InflowMonths).Count(m => inflows.Any(t => t <= now.AddDays(-30 * m) && t > now.AddDays(-30 * (m + 1)))),
            OverdraftDays = days.Overdrawn,
            RecordsExpenseRatio = recordedIncome > 0 ? Round(recordedExpenses / (double)recordedIncome) : null,
            AccountAgeMonths = Math.Floor((now - customerSince).TotalDays / 30.44), FailedOrReversed = failedOrReversed,
            LateInstallments = loans.Sum(l => l.Late), LoansRepaid = loans.Count(l => l.Closed),
        };
    }

    private sealed record Days(double Average, long Minimum, int Overdrawn);

    /// <summary>
    /// End-of-day balances of the last <see cref="BalanceDays"/> days, worked backwards from today's balances by undoing each
    /// day's postings: their average and minimum in total, and on how many days some wallet ended below zero.
    /// </summary>
    private static Days DailyBalances(Dictionary<Guid, long> balances, List<(Guid AccountId, long Delta, DateTime At)> changes, DateTime now)
    {
        var newestFirst = changes.OrderByDescending(c => c.At).ToList();
        var next = 0;
        var (sum, minimum, overdrawn) = (0.0, long.MaxValue, 0);
        for (var day = 0; day < BalanceDays; day++)
        {
            var endOfDay = day == 0 ? now : now.Date.AddDays(1 - day);
            while (next < newestFirst.Count && newestFirst[next].At > endOfDay)
            {
                balances[newestFirst[next].AccountId] -= newestFirst[next].Delta;
                next++;
            }
            var total = balances.Values.Sum();
            sum += total;
            minimum = Math.Min(minimum, total);
            overdrawn += balances.Values.Any(b => b < 0) ? 1 : 0;
        }
        return new Days(sum / BalanceDays, minimum, overdrawn);
    }

    private static double Round(double x) => Math.Round(x, 4);
}
