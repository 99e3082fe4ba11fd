using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Ledger;

/// <summary>For analysts and admins: ledger volume and counts by day, type and status, and the busiest accounts, over a period and currency.</summary>
public static class LedgerAnalytics
{
    public sealed record Bucket(string Key, long Count, string Volume);

    public sealed record TopAccount(Guid AccountId, long Count, string Volume);

    public sealed record Report(string Currency, DateTime From, DateTime To, List<Bucket> ByDay, List<Bucket> ByType, List<Bucket> ByStatus,
        List<TopAccount> TopAccounts);

    public const int DefaultDays = 30;
    public const int MaxDays = 366;

    public static async Task<JsonBody> Handle(DateTime? from, DateTime? to, string? currency, FinsoftDb db, IOptions<FinsoftOptions> options,
        TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var money = validation.Currency("currency", currency, options.Value.DefaultCurrencyValue);
        var end = to?.ToUniversalTime() ?? time.UtcNow();
        var start = from?.ToUniversalTime() ?? end.AddDays(-DefaultDays);
        if (start > end || end - start > TimeSpan.FromDays(MaxDays))
        {
            validation.Add("from", $"from must be before to, and at most {MaxDays} days earlier.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var code = money!.Code;
        var period = db.Transactions.AsNoTracking().Where(t => t.Currency == code && t.CreatedAt >= start && t.CreatedAt <= end);
        var byDay = await period.GroupBy(t => t.CreatedAt.Date).Select(g => new { g.Key, Count = g.LongCount(), Volume = g.Sum(t => t.Amount) }).ToListAsync(ct);
        var byType = await period.GroupBy(t => t.Type).Select(g => new { g.Key, Count = g.LongCount(), Volume = g.Sum(t => t.Amount) }).ToListAsync(ct);
        var byStatus = await period.GroupBy(t => t.Status).Select(g => new { g.Key, Count = g.LongCount(), Volume = g.Sum(t => t.Amount) }).ToListAsync(ct);
        // Each transaction counts for both accounts it touches.
        var sides = period.Where(t => t.OriginAccountId != null).Select(t => new { Account = t.OriginAccountId!.Value, t.Amount })
            .Concat(period.Where(t => t.DestinationAccountId != null).Select(t => new { Account = t.DestinationAccountId!.Value, t.Amount }));
        var top = await sides.GroupBy(s => s.Account).Select(g => new { Account = g.Key, Count = g.LongCount(), Volume = g.Sum(s => s.Amount) })
            .OrderByDescending(g => g.Volume).ThenBy(g => g.Account).Take(10).ToListAsync(ct);
        string Format(long minor) => Money.Format(minor, money);
        return ApiResults.Ok(new Report(code, start, end,
            byDay.OrderBy(d => d.Key).Select(d => new Bucket(d.Key.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), d.Count, Format(d.Volume))).ToList(),
            byType.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => new Bucket(b.Key, b.Count, Format(b.Volume))).ToList(),
            byStatus.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => new Bucket(b.Key, b.Count, Format(b.Volume))).ToList(),
            top.Select(t => new TopAccount(t.Account, t.Count, Format(t.Volume))).ToList()));
    }
}
