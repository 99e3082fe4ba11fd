using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Analytics;

/// <summary>
/// Transactions in a period: count, volume, average and the 50th, 90th and 99th percentile amounts, by type and by status in
/// one currency, and by currency across all. Percentiles are nearest-rank (the smallest amount at or above which the given
/// share of amounts lie), read from the database in amount order, one row each.
/// </summary>
public static class TransactionAnalytics
{
    public sealed record Group(string Key, long Count, string Volume, string Average, string P50, string P90, string P99);

    public sealed record Report(string Currency, DateTime From, DateTime To, List<Group> ByType, List<Group> ByStatus, List<Group> ByCurrency);

    private static readonly int[] Percentiles = [50, 90, 99];

    public static async Task<JsonBody> Handle(DateTime? from, DateTime? to, string? currency, FinsoftDb db, IOptions<FinsoftOptions> options,
        TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var money = validation.Currency("currency", currency, options.Value.DefaultCurrencyValue);
        var period = AnalyticsPeriod.Parse(from, to, null, time.UtcNow(), validation);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var (start, end, code) = (period!.From, period.To, money!.Code);
        var all = db.Transactions.AsNoTracking().Where(t => t.CreatedAt >= start && t.CreatedAt <= end);
        var inCurrency = all.Where(t => t.Currency == code);
        var byType = await GroupsAsync(inCurrency, t => t.Type, key => inCurrency.Where(t => t.Type == key), _ => money, ct);
        var byStatus = await GroupsAsync(inCurrency, t => t.Status, key => inCurrency.Where(t => t.Status == key), _ => money, ct);
        var byCurrency = await GroupsAsync(all, t => t.Currency, key => all.Where(t => t.Currency == key), Currency.Get, ct);
        return ApiResults.Ok(new Report(code, start, end, byType, byStatus, byCurrency));
    }

    private static async Task<List<Group>> GroupsAsync(IQueryable<TransactionRow> rows, System.Linq.Expressions.Expression<Func<TransactionRow, string>> key,
        Func<string, IQueryable<TransactionRow>> members, Func<string, Currency> currencyOf, CancellationToken ct)
    {
        var totals = await rows.GroupBy(key).Select(g => new { g.Key, Count = g.LongCount(), Volume = g.Sum(t => t.Amount) }).ToListAsync(ct);
        var groups = new List<Group>();
        foreach (var total in totals.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var currency = currencyOf(total.Key);
            var ordered = members(total.Key).OrderBy(t => t.Amount).Select(t => t.Amount);
            var at = new List<string>();
            foreach (var p in Percentiles)
            {
                var rank = (int)Math.Ceiling(p / 100.0 * total.Count); // nearest rank, 1-based
                // The counts were read a moment before: a row that moved to another group since leaves the rank past the end.
                at.Add(Money.Format(await ordered.Skip(rank - 1).Select(a => (long?)a).FirstOrDefaultAsync(ct) ?? await ordered.Select(a => (long?)a).MaxAsync(ct) ?? 0,
                    currency));
            }
            var average = (long)decimal.Round((decimal)total.Volume / total.Count, MidpointRounding.AwayFromZero);
            groups.Add(new Group(total.Key, total.Count, Money.Format(total.Volume, currency), Money.Format(average, currency), at[0], at[1], at[2]));
        }
        return groups;
    }
}
