using System.Text.Json;
using Finsoft.Api.Features.Aml;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Monitoring;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger.Monitoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Risk;

/// <summary>
/// A customer's risk rating: a score out of 100 from weighted factors (watch-list matches, country, how new the
/// customer is, MFA, volume, velocity, review history), a level from the score (and at least high with a confirmed
/// match, medium with an undecided one), kept on the user for the engine's hard limits, and the rescreening interval
/// that follows the level unless an analyst set one.
/// </summary>
public sealed class CustomerRisk(FinsoftDb db, UnitOfWork work, IOptions<FinsoftOptions> options, TimeProvider time)
{
    public sealed record Factor(string Name, int Weight, double Value, string Detail);

    public sealed record Rating(Guid UserId, int Score, string Level, IReadOnlyList<Factor> Factors, DateTime UpdatedAt);

    /// <summary>Works the rating out now, stores it and applies its level; null when there is no such user.</summary>
    public async Task<Rating?> RecomputeAsync(Guid userId, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId && u.DeletedAt == null)
            .Select(u => new { u.CreatedAt, u.MfaEnabled }).FirstOrDefaultAsync(ct);
        if (user is null)
        {
            return null;
        }
        var now = time.UtcNow();
        var matches = await db.Reviews.AsNoTracking()
            .Where(r => r.EntityId == userId && r.Kind == ReviewKind.ScreeningMatch && ReviewStatus.Holding.Contains(r.Status)).Select(r => r.Status).ToListAsync(ct);
        var confirmed = matches.Contains(ReviewStatus.Confirmed);
        var country = await db.UserProfiles.AsNoTracking().Where(p => p.UserId == userId).Select(p => p.Country).FirstOrDefaultAsync(ct);
        var (lastDay, busiestHour) = await ActivityAsync(userId, now, ct);
        var quarterAgo = now.AddDays(-90);
        var rejected = await db.Reviews.AsNoTracking()
            .CountAsync(r => r.UserId == userId && r.Kind == ReviewKind.Transaction && r.Status == ReviewStatus.Rejected && r.CreatedAt > quarterAgo, ct)
            + await db.RiskBlocks.AsNoTracking().CountAsync(b => b.UserId == userId && b.CreatedAt > quarterAgo, ct);
        var days = (now - user.CreatedAt).TotalDays;

        var factors = new List<Factor>
        {
            new("watch_list", 40, confirmed ? 1 : matches.Count > 0 ? 0.75 : 0,
                confirmed ? "a confirmed match" : matches.Count > 0 ? $"{matches.Count} undecided match(es)" : "no match"),
            new("country", 15, country is null ? 0.3 : options.Value.Risk.HighRiskCountries.Contains(country, StringComparer.OrdinalIgnoreCase) ? 1 : 0,
                country ?? "not given"),
            new("customer_age", 10, days < 30 ? 1 : days < 180 ? 0.5 : 0, $"{(int)days} days"),
            new("mfa", 10, user.MfaEnabled ? 0 : 1, user.MfaEnabled ? "on" : "off"),
            new("volume", 10, Math.Min(1, lastDay / 200.0), $"{lastDay} movements in and out in the last day"),
            new("velocity", 5, Math.Min(1, busiestHour / 50.0), $"{busiestHour} movements in its busiest hour of the day"),
            new("review_history", 10, Math.Min(1, rejected / 3.0), $"{rejected} rejected or blocked in 90 days"),
        };
        var score = (int)Math.Round(factors.Sum(f => f.Weight * f.Value), MidpointRounding.AwayFromZero);
        var byScore = score >= 60 ? RiskLevel.High : score >= 30 ? RiskLevel.Medium : RiskLevel.Low;
        var byMatch = confirmed ? RiskLevel.High : matches.Count > 0 ? RiskLevel.Medium : RiskLevel.Low;
        var rating = new Rating(userId, score, CustomerRiskLevels.Wire((RiskLevel)Math.Max((int)byScore, (int)byMatch)), factors, now);
        await StoreAsync(rating, ct);
        return rating;
    }

    /// <summary>Movements through the customer's wallets in the last day and in its busiest hour, from monitoring's hourly counters: cheap however busy.</summary>
    private async Task<(int LastDay, int BusiestHour)> ActivityAsync(Guid userId, DateTime now, CancellationToken ct)
    {
        var wallets = await db.Accounts.AsNoTracking().Where(a => a.UserId == userId).Select(a => a.Id).ToListAsync(ct);
        var dayAgo = ActivityWindow.HourOf(now).AddHours(-23);
        var hours = await db.AccountActivity.AsNoTracking().Where(a => wallets.Contains(a.AccountId) && a.Hour >= dayAgo)
            .GroupBy(a => a.Hour).Select(g => g.Sum(a => a.Movements)).ToListAsync(ct);
        return (hours.Sum(), hours.Count == 0 ? 0 : hours.Max());
    }

    /// <summary>
    /// The rating, the user's level and the schedule change together, in one unit of work: retried on a conflict, and
    /// on another node storing the first rating of the same customer at the same moment.
    /// </summary>
    private async Task StoreAsync(Rating rating, CancellationToken ct)
    {
        var interval = RescreenDays(CustomerRiskLevels.Parse(rating.Level));
        await work.RunAsync<bool>(async ct =>
        {
            var row = await db.CustomerRisks.FirstOrDefaultAsync(r => r.UserId == rating.UserId, ct);
            if (row is null)
            {
                row = new CustomerRiskRow { UserId = rating.UserId, Level = rating.Level, Factors = "[]" };
                db.CustomerRisks.Add(row);
            }
            (row.Score, row.Level, row.Factors, row.UpdatedAt) = (rating.Score, rating.Level, JsonSerializer.Serialize(rating.Factors, Json.Options), rating.UpdatedAt);
            await db.SaveChangesAsync(ct);
            await db.Users.Where(u => u.Id == rating.UserId).ExecuteUpdateAsync(s => s.SetProperty(u => u.RiskLevel, rating.Level), ct);
            // The rescreening interval follows the level, unless an analyst chose one.
            // A shorter interval brings the next screening forward; a longer one starts after the one already due.
            var due = rating.UpdatedAt.AddDays(interval);
            await db.ScreeningSchedules.Where(s => s.EntityType == Screenings.User && s.EntityId == rating.UserId && !s.SetByAnalyst && s.IntervalDays != interval)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.NextDueAt, x => x.NextDueAt < due ? x.NextDueAt : due).SetProperty(x => x.IntervalDays, interval), ct);
            return true;
        }, ct, alsoRetry: DatabaseSetup.IsUniqueViolation);
    }

    /// <summary>Low: the default interval; medium at most half a year; high at most a month.</summary>
    private int RescreenDays(RiskLevel level)
    {
        var normal = options.Value.Aml.RescreenIntervalDays;
        return level switch { RiskLevel.High => Math.Min(normal, 30), RiskLevel.Medium => Math.Min(normal, 180), _ => normal };
    }
}
