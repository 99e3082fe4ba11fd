using Finsoft.Api.MoneyPath.Archiving;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Analytics;

/// <summary>
/// The platform's revenue in one currency, by interval, read from its income accounts' postings: fees on pay-ins (less the
/// share refunds gave back), loan fees (origination and late), and loan interest. FX: conversions are booked at the quoted
/// rate and earn no margin today, so the line is zero; it is kept so the shape holds when a margin is booked.
/// </summary>
public static class RevenueAnalytics
{
    public sealed record Line(string Start, string PaymentFees, string LoanFees, string Interest, string Fx, string Total);

    public sealed record Report(string Currency, DateTime From, DateTime To, string Interval, List<Line> Buckets, Line Totals);

    private static readonly string Closing = TransactionLifecycle.Wire(TransactionType.Closing);

    public static async Task<JsonBody> Handle(DateTime? from, DateTime? to, string? currency, string? interval, FinsoftDb db, IOptions<FinsoftOptions> options,
        TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var money = validation.Currency("currency", currency, options.Value.DefaultCurrencyValue);
        var period = AnalyticsPeriod.Parse(from, to, interval, time.UtcNow(), validation);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var (paymentFees, loanFees, interest) = (SystemAccounts.Id(SystemAccounts.FeeIncome, money!), SystemAccounts.Id(SystemAccounts.LoanFeeIncome, money!),
            SystemAccounts.Id(SystemAccounts.LoanInterestIncome, money!));
        Guid[] accounts = [paymentFees, loanFees, interest];
        var (start, end) = (period!.From, period.To);
        await ArchivedHistory.FloorFromAsync(db, start, ct); // a period inside the archived months is a 422
        var byDay = await (from p in db.Postings
                           join t in db.Transactions on p.TransactionId equals t.Id
                           where accounts.Contains(p.AccountId) && p.EffectiveAt >= start && p.EffectiveAt <= end && t.Type != Closing
                           group p by new { p.AccountId, p.EffectiveAt.Date } into g
                           select new { g.Key.AccountId, g.Key.Date, Amount = g.Sum(p => p.Amount) }).ToListAsync(ct);
        // Income accounts are credit-normal (a year's closing entry, which empties them, is not revenue): a credit (negative) is revenue.
        var sums = byDay.GroupBy(d => (d.AccountId, Bucket: period.BucketOf(d.Date))).ToDictionary(g => g.Key, g => -g.Sum(d => d.Amount));
        Line LineOf(string key, Func<Guid, long> amount)
        {
            var (fees, loan, earned) = (amount(paymentFees), amount(loanFees), amount(interest));
            return new Line(key, F(fees), F(loan), F(earned), F(0), F(checked(fees + loan + earned)));
        }
        string F(long minor) => Money.Format(minor, money!);
        var lines = period.Buckets().Select(b => LineOf(AnalyticsPeriod.Key(b), a => sums.GetValueOrDefault((a, b)))).ToList();
        var totals = LineOf("total", a => sums.Where(s => s.Key.AccountId == a).Sum(s => s.Value));
        return ApiResults.Ok(new Report(money!.Code, start, end, period.Interval, lines, totals));
    }
}
