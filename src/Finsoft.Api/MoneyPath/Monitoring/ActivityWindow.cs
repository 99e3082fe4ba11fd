using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Monitoring;

/// <summary>
/// What an account paid out (or took in) in the last hour and the last day, estimated from its hourly counters the way sliding-window
/// rate limiters do: the buckets inside the window count whole, the one the window's start cuts counts by the part of
/// it inside. Read under the account's lock, so no other batch changes it meanwhile.
/// </summary>
public sealed record ActivityWindow(double MovementsLastHour, double MovementsLastDay, long AmountLastDay, double JustUnderLastDay)
{
    public static readonly ActivityWindow None = new(0, 0, 0, 0);

    public ActivityWindow Plus(long amount, bool justUnder) =>
        new(MovementsLastHour + 1, MovementsLastDay + 1, AmountLastDay + amount, JustUnderLastDay + (justUnder ? 1 : 0));

    public static DateTime HourOf(DateTime time) => new(time.Ticks - time.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);

    /// <summary>The windows of these accounts, each way (<see cref="AccountActivityRow.Direction"/>).</summary>
    public static async Task<Dictionary<(Guid Account, string Direction), ActivityWindow>> ReadAsync(FinsoftDb db, IReadOnlyCollection<Guid> accounts,
        DateTime now, CancellationToken ct)
    {
        if (accounts.Count == 0)
        {
            return [];
        }
        var hour = HourOf(now);
        var oldest = hour.AddHours(-24);
        var ids = accounts.ToArray();
        var buckets = await db.AccountActivity.AsNoTracking().Where(a => ids.Contains(a.AccountId) && a.Hour >= oldest).ToListAsync(ct);
        // The share of the oldest bucket each window still covers: the rest of it fell out of the window.
        var cut = 1 - (now - hour).Ticks / (double)TimeSpan.TicksPerHour;
        return buckets.GroupBy(b => (b.AccountId, b.Direction)).ToDictionary(g => g.Key, g =>
        {
            double Weight(AccountActivityRow b, DateTime windowStartBucket) => b.Hour > windowStartBucket ? 1 : b.Hour == windowStartBucket ? cut : 0;
            var inHour = g.Sum(b => b.Movements * Weight(b, hour.AddHours(-1)));
            var inDay = g.Select(b => (Row: b, Weight: Weight(b, oldest))).ToList();
            return new ActivityWindow(inHour, inDay.Sum(x => x.Row.Movements * x.Weight), (long)inDay.Sum(x => x.Row.Amount * x.Weight),
                inDay.Sum(x => x.Row.JustUnder * x.Weight));
        });
    }

    /// <summary>Adds this batch's movements to their accounts' current-hour counters.</summary>
    public static async Task AddAsync(FinsoftDb db, IReadOnlyList<AccountActivityRow> added, CancellationToken ct)
    {
        if (added.Count == 0)
        {
            return;
        }
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO account_activity (account_id, hour, direction, movements, amount, just_under)
                SELECT * FROM unnest({added.Select(a => a.AccountId).ToArray()}, {added.Select(a => a.Hour).ToArray()}, {added.Select(a => a.Direction).ToArray()},
                    {added.Select(a => a.Movements).ToArray()}, {added.Select(a => a.Amount).ToArray()}, {added.Select(a => a.JustUnder).ToArray()})
                ON CONFLICT (account_id, hour, direction) DO UPDATE SET movements = account_activity.movements + excluded.movements,
                    amount = account_activity.amount + excluded.amount, just_under = account_activity.just_under + excluded.just_under
                """, ct);
            return;
        }
        // SQLite has one writer at a time: read, add, write back.
        foreach (var a in added)
        {
            var row = await db.AccountActivity.FirstOrDefaultAsync(x => x.AccountId == a.AccountId && x.Hour == a.Hour && x.Direction == a.Direction, ct);
            if (row is null)
            {
                db.AccountActivity.Add(a);
            }
            else
            {
                (row.Movements, row.Amount, row.JustUnder) = (row.Movements + a.Movements, row.Amount + a.Amount, row.JustUnder + a.JustUnder);
            }
        }
        await db.SaveChangesAsync(ct);
    }
}
