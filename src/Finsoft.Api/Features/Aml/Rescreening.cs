using System.Security.Claims;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Store;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Aml;

/// <summary>
/// Periodic rescreening: every screened user and destination account has a schedule (the default interval, or one
/// an analyst sets here); <see cref="RescreeningWorker"/> rescreens what is due.
/// </summary>
public static class Rescreening
{
    public sealed record Request(int? IntervalDays);

    public sealed record ScheduleDto(string EntityType, Guid EntityId, int IntervalDays, DateTime NextDueAt);

    public static async Task<JsonBody> Reschedule([FromRoute(Name = "entity_type")] string entityType, [FromRoute(Name = "entity_id")] Guid entityId, Request request, ClaimsPrincipal principal, FinsoftDb db,
        UnitOfWork work, AuditTrail audit, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        if (entityType is not (Screenings.User or Screenings.DestinationAccount))
        {
            validation.Add("entity_type", $"entity_type must be {Screenings.User} or {Screenings.DestinationAccount}.");
        }
        if (request.IntervalDays is not (>= 1 and <= 3660))
        {
            validation.Add("interval_days", "interval_days must be a whole number of days from 1 to 3660.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var exists = entityType == Screenings.User
            ? await db.Users.AnyAsync(u => u.Id == entityId && u.DeletedAt == null, ct)
            : await db.DestinationAccounts.AnyAsync(d => d.Id == entityId && d.DeletedAt == null, ct);
        if (!exists)
        {
            return ApiResults.NotFound(entityType == Screenings.User ? "User not found" : "Destination account not found");
        }
        var days = request.IntervalDays!.Value;
        var analyst = CurrentUser.From(principal).Id;
        var saved = await work.RunAsync<ScheduleDto>(async ct =>
        {
            var now = time.UtcNow();
            var schedule = await db.ScreeningSchedules.FirstOrDefaultAsync(s => s.EntityType == entityType && s.EntityId == entityId, ct);
            if (schedule is null)
            {
                schedule = new ScreeningScheduleRow { EntityType = entityType, EntityId = entityId };
                db.ScreeningSchedules.Add(schedule);
            }
            (schedule.IntervalDays, schedule.NextDueAt, schedule.UpdatedAt, schedule.SetByAnalyst) = (days, now.AddDays(days), now, true);
            audit.Add(db, AuditEvents.RescreeningScheduled, analyst, entityType == Screenings.User ? entityId : null,
                new { entity_type = entityType, entity_id = entityId, interval_days = days });
            await db.SaveChangesAsync(ct);
            return new ScheduleDto(entityType, entityId, days, schedule.NextDueAt);
        }, ct, alsoRetry: DatabaseSetup.IsUniqueViolation);
        return ApiResults.Ok(saved.Value);
    }
}

/// <summary>
/// Rescreens, on every node safely: schedules that are due (each claimed by moving its due time, in the same
/// transaction as its screening, so one node does it once), and everyone against what a new list version changed
/// (the version claimed by a lease; a node that dies mid-way leaves it to be done again).
/// </summary>
public sealed class RescreeningWorker(IServiceScopeFactory scopes, Microsoft.Extensions.Options.IOptions<FinsoftOptions> options, TimeProvider time,
    ILogger<RescreeningWorker> logger) : PollingWorker(time, logger)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(options.Value.Aml.RescreenPollMilliseconds);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await RescreenDueAsync(ct);
        await RescreenNewVersionsAsync(ct);
    }

    /// <summary>One pass over due schedules; returns how many it rescreened.</summary>
    public async Task<int> RescreenDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var now = Time.UtcNow();
        var due = await db.ScreeningSchedules.AsNoTracking().Where(s => s.NextDueAt <= now).OrderBy(s => s.NextDueAt).Take(100).ToListAsync(ct);
        var done = 0;
        foreach (var schedule in due)
        {
            var screened = await RunAsync(async (services, ct) =>
            {
                // The entity first, as every screening and decision about it does: then the schedule (a profile change writes both).
                await ComplianceHolds.LockAsync(services.GetRequiredService<FinsoftDb>(), schedule.EntityType, schedule.EntityId, ct);
                var claimed = await services.GetRequiredService<FinsoftDb>().ScreeningSchedules
                    .Where(s => s.EntityType == schedule.EntityType && s.EntityId == schedule.EntityId && s.NextDueAt == schedule.NextDueAt)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.NextDueAt, now.AddDays(schedule.IntervalDays)), ct);
                return claimed == 1 && await ScreenAsync(services, schedule.EntityType, schedule.EntityId, ct);
            }, ct);
            done += screened ? 1 : 0;
        }
        return done;
    }

    /// <summary>
    /// For each list version not yet rescreened against: the entries it added or changed since the source's previous
    /// version, as a small index that finds candidates cheaply; each candidate is then screened in full and recorded.
    /// </summary>
    public async Task<int> RescreenNewVersionsAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var now = Time.UtcNow();
        var staleClaim = now - Lease;
        var versions = await db.WatchlistVersions.AsNoTracking()
            .Where(v => v.RescreenedAt == null && (v.RescreenClaimedAt == null || v.RescreenClaimedAt < staleClaim)).OrderBy(v => v.LoadedAt).ToListAsync(ct);
        var screened = 0;
        foreach (var version in versions)
        {
            var claimed = await db.WatchlistVersions.Where(v => v.Id == version.Id && v.RescreenedAt == null && v.RescreenClaimedAt == version.RescreenClaimedAt)
                .ExecuteUpdateAsync(s => s.SetProperty(v => v.RescreenClaimedAt, now), ct);
            if (claimed == 0)
            {
                continue; // another node has it
            }
            var claim = new Claim(db, version.Id, now, Time);
            var count = await RescreenAgainstChangesAsync(scope.ServiceProvider, version, claim, ct);
            // Only if still ours: aliases added meanwhile clear the claim, and the version is rescreened again.
            await db.WatchlistVersions.Where(v => v.Id == version.Id && v.RescreenClaimedAt == claim.At)
                .ExecuteUpdateAsync(s => s.SetProperty(v => v.RescreenedAt, Time.UtcNow()), ct);
            logger.LogInformation("Rescreened {Count} users and destinations against {Source} version {Version}", count, version.Source, version.Version);
            screened += count;
        }
        return screened;
    }

    /// <summary>This node's lease on rescreening one version, renewed as the pass goes so a long pass keeps it.</summary>
    private sealed class Claim(FinsoftDb db, Guid versionId, DateTime at, TimeProvider time)
    {
        public DateTime At { get; private set; } = at;

        /// <summary>Moves the lease on; false when it is no longer ours (aliases loaded meanwhile, or another node took it).</summary>
        public async Task<bool> RenewAsync(CancellationToken ct)
        {
            var now = time.UtcNow();
            var held = At;
            if (await db.WatchlistVersions.Where(v => v.Id == versionId && v.RescreenClaimedAt == held)
                .ExecuteUpdateAsync(s => s.SetProperty(v => v.RescreenClaimedAt, now), ct) != 1)
            {
                return false;
            }
            At = now;
            return true;
        }
    }

    private async Task<int> RescreenAgainstChangesAsync(IServiceProvider services, WatchlistVersionRow version, Claim claim, CancellationToken ct)
    {
        var db = services.GetRequiredService<FinsoftDb>();
        var changed = await WatchlistChanges.SincePreviousAsync(db, version, ct);
        if (changed.Count == 0)
        {
            return 0;
        }
        var candidates = new Finsoft.Screening.ScreeningIndex(changed.Select(e => (version.Source, e)));
        // Looser than the threshold: this index weighs words among the changed entries only; the full screening decides.
        var looser = Math.Max(0.5, options.Value.Aml.MinMatch - 0.1);
        var personal = services.GetRequiredService<Infrastructure.Security.PersonalData>();
        var screened = 0;
        var seen = 0;
        await foreach (var subject in Subjects(db, personal, ct))
        {
            if (++seen % 500 == 0 && !await claim.RenewAsync(ct))
            {
                return screened; // no longer ours: whoever holds it now does the whole pass
            }
            if (subject.Names.Any(n => candidates.Screen(new Finsoft.Screening.ScreeningQuery(n, subject.BirthDate, subject.Country), looser).Count > 0))
            {
                screened += await RunAsync((inner, ct) => ScreenAsync(inner, subject.EntityType, subject.EntityId!.Value, ct), ct) ? 1 : 0;
            }
        }
        return screened;
    }

    /// <summary>Every user and destination account still there (and not erased), a page at a time.</summary>
    private static async IAsyncEnumerable<ScreeningSubject> Subjects(FinsoftDb db, Infrastructure.Security.PersonalData personal,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        const int Page = 500;
        var after = Guid.Empty;
        while (true)
        {
            var users = await db.Users.AsNoTracking().Where(u => u.DeletedAt == null && u.ErasedAt == null && u.Id.CompareTo(after) > 0).OrderBy(u => u.Id)
                .Take(Page).ToListAsync(ct);
            var ids = users.Select(u => u.Id).ToList();
            var profiles = await db.UserProfiles.AsNoTracking().Where(p => ids.Contains(p.UserId)).ToDictionaryAsync(p => p.UserId, ct);
            foreach (var user in users)
            {
                yield return ScreeningSubject.OfUser(user, profiles.GetValueOrDefault(user.Id), personal.KeyOf(user));
            }
            if (users.Count < Page)
            {
                break;
            }
            after = users[^1].Id;
        }
        after = Guid.Empty;
        while (true)
        {
            var destinations = await db.DestinationAccounts.AsNoTracking().Where(d => d.DeletedAt == null && d.Id.CompareTo(after) > 0).OrderBy(d => d.Id)
                .Take(Page).ToListAsync(ct);
            var keys = await personal.KeysOfAsync(db, destinations.Select(d => d.UserId), ct);
            foreach (var destination in destinations.Where(d => keys.GetValueOrDefault(d.UserId) is { IsErased: false }))
            {
                yield return ScreeningSubject.OfDestination(destination, keys[destination.UserId]);
            }
            if (destinations.Count < Page)
            {
                break;
            }
            after = destinations[^1].Id;
        }
    }

    /// <summary>Screens one entity as it now stands and records it; false when it is gone.</summary>
    private static async Task<bool> ScreenAsync(IServiceProvider services, string entityType, Guid entityId, CancellationToken ct)
    {
        var db = services.GetRequiredService<FinsoftDb>();
        var subject = entityType == Screenings.User
            ? await ScreeningSubject.OfUserAsync(db, services.GetRequiredService<Infrastructure.Security.PersonalData>(), entityId, ct)
            : await ScreeningSubject.OfDestinationAsync(db, services.GetRequiredService<Infrastructure.Security.PersonalData>(), entityId, ct);
        if (subject is null)
        {
            await db.ScreeningSchedules.Where(s => s.EntityType == entityType && s.EntityId == entityId).ExecuteDeleteAsync(ct);
            return false;
        }
        await services.GetRequiredService<Screener>().ScreenAsync(subject, by: null, ct);
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>One unit of work in a fresh scope (its own database context); true when it did what it set out to.</summary>
    private async Task<bool> RunAsync(Func<IServiceProvider, CancellationToken, Task<bool>> work, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<UnitOfWork>()
            .RunAsync<bool>(async ct => await work(scope.ServiceProvider, ct), ct, alsoRetry: DatabaseSetup.IsUniqueViolation);
        return result.Value;
    }
}
