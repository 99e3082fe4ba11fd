using System.Globalization;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Analytics;

/// <summary>
/// Customers over time: sign-ups, active customers (signed in), customers who moved money (started a transaction that
/// completed), and retention by monthly sign-up cohort — of each month's new customers, the share who moved money in each
/// month since.
/// </summary>
public static class UserAnalytics
{
    public sealed record Line(string Start, int Signups, int Active, int MovedMoney);

    public sealed record CohortMonth(string Month, int MovedMoney, string Share);

    public sealed record Cohort(string Month, int Customers, List<CohortMonth> Months);

    public sealed record Report(DateTime From, DateTime To, string Interval, List<Line> Buckets, List<Cohort> Retention);

    private static readonly string Completed = TransactionLifecycle.Wire(TransactionStatus.Completed);

    public static async Task<JsonBody> Handle(DateTime? from, DateTime? to, string? interval, FinsoftDb db, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var period = AnalyticsPeriod.Parse(from, to, interval, time.UtcNow(), validation);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var (start, end) = (period!.From, period.To);
        var customers = (await db.Users.AsNoTracking().Where(u => u.Role == Roles.Customer && u.CreatedAt <= end)
            .Select(u => new { u.Id, u.CreatedAt }).ToListAsync(ct)).ToDictionary(u => u.Id, u => u.CreatedAt);
        var signedIn = await db.AuditEvents.AsNoTracking()
            .Where(e => e.Event == AuditEvents.LoginSucceeded && e.CreatedAt >= start && e.CreatedAt <= end && e.ActorId != null)
            .Select(e => new { User = e.ActorId!.Value, e.CreatedAt.Date }).Distinct().ToListAsync(ct);
        var moved = (await db.Transactions.AsNoTracking().Where(t => t.Status == Completed && t.CreatedAt >= start && t.CreatedAt <= end)
            .Select(t => new { User = t.InitiatedBy, t.CreatedAt.Date }).Distinct().ToListAsync(ct))
            .Where(m => customers.ContainsKey(m.User)).ToList();

        int Distinct<T>(IEnumerable<T> rows, Func<T, Guid> user) => rows.Select(user).Where(customers.ContainsKey).Distinct().Count();
        var lines = period.Buckets().Select(b => new Line(AnalyticsPeriod.Key(b),
            customers.Values.Count(c => c >= start && period.BucketOf(c) == b),
            Distinct(signedIn.Where(s => period.BucketOf(s.Date) == b), s => s.User),
            Distinct(moved.Where(m => period.BucketOf(m.Date) == b), m => m.User))).ToList();

        // Cohorts: customers who signed up in the period, by calendar month; their money-moving by calendar month since.
        var monthly = period with { Interval = AnalyticsPeriod.Month };
        var movedByMonth = moved.GroupBy(m => monthly.BucketOf(m.Date)).ToDictionary(g => g.Key, g => g.Select(m => m.User).ToHashSet());
        var cohorts = customers.Where(c => c.Value >= start).GroupBy(c => monthly.BucketOf(c.Value)).OrderBy(g => g.Key).Select(cohort =>
        {
            var members = cohort.Select(c => c.Key).ToHashSet();
            var months = monthly.Buckets().Where(m => m >= cohort.Key).Select(m =>
            {
                var active = movedByMonth.TryGetValue(m, out var users) ? members.Count(users.Contains) : 0;
                return new CohortMonth(AnalyticsPeriod.Key(m), active, (active / (decimal)members.Count).ToString("0.0000", CultureInfo.InvariantCulture));
            }).ToList();
            return new Cohort(AnalyticsPeriod.Key(cohort.Key), members.Count, months);
        }).ToList();
        return ApiResults.Ok(new Report(start, end, period.Interval, lines, cohorts));
    }
}
