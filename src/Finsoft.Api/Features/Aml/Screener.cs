using System.Globalization;
using System.Text.Json;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Finsoft.Screening;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Aml;

/// <summary>What is screened: a user (full name and company), a destination account's holder, or a bare name.</summary>
/// <param name="Owner">Whose the entity is (a user is their own; a destination account its customer's): no one decides a review about their own.</param>
public sealed record ScreeningSubject(string EntityType, Guid? EntityId, IReadOnlyList<string> Names, string? BirthDate = null, string? Country = null,
    Guid? Owner = null)
{
    /// <summary>
    /// A user as stored: name, and from the profile the company, birth date and country; null when there is no such user,
    /// or nothing is left of them to screen (erased).
    /// </summary>
    public static async Task<ScreeningSubject?> OfUserAsync(FinsoftDb db, PersonalData personal, Guid id, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id && u.DeletedAt == null && u.ErasedAt == null, ct);
        if (user is null)
        {
            return null;
        }
        var profile = await db.UserProfiles.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == id, ct);
        return OfUser(user, profile, personal.KeyOf(user));
    }

    public static ScreeningSubject OfUser(UserRow user, UserProfileRow? profile, PersonKey key) =>
        new(Screenings.User, user.Id, key.Open(profile?.Company) is { } company ? [key.Open(user.FullName), company] : [key.Open(user.FullName)],
            key.Open(profile?.BirthDate), profile?.Country, Owner: user.Id);

    public static async Task<ScreeningSubject?> OfDestinationAsync(FinsoftDb db, PersonalData personal, Guid id, CancellationToken ct) =>
        await db.DestinationAccounts.AsNoTracking().Where(d => d.Id == id && d.DeletedAt == null).FirstOrDefaultAsync(ct) is { } destination
            && await personal.KeyOfAsync(db, destination.UserId, ct) is { IsErased: false } key
            ? OfDestination(destination, key)
            : null;

    public static ScreeningSubject OfDestination(DestinationAccountRow destination, PersonKey key) =>
        new(Screenings.DestinationAccount, destination.Id, [key.Open(destination.HolderFullName)], Owner: destination.UserId);
}

/// <summary>
/// Screens a subject against the lists in force and stages what that records: the screening; a review for each
/// match nobody has decided yet; and the entity's compliance hold. A match this entity already has a review for
/// links to it: one undecided or confirmed stays so, one dismissed is remembered and does not come back. Runs
/// in the caller's database transaction, after locking the entity's row, so screenings and decisions about one
/// entity apply one at a time; the caller saves.
/// </summary>
public sealed class Screener(FinsoftDb db, WatchlistIndex lists, PersonalData personal, SensitiveData sensitive, IOptions<FinsoftOptions> options,
    TimeProvider time)
{
    public async Task<ScreeningRow> ScreenAsync(ScreeningSubject subject, Guid? by, CancellationToken ct)
    {
        await ComplianceHolds.LockAsync(db, subject.EntityType, subject.EntityId, ct);
        var (index, versions) = await lists.CurrentAsync(db, ct);
        var found = Best(index, subject, options.Value.Aml.MinMatch);
        var earlier = subject.EntityId is { } id && found.Count > 0
            ? await db.Reviews.Where(r => r.EntityId == id && r.Kind == ReviewKind.ScreeningMatch).ToListAsync(ct)
            : [];
        var now = time.UtcNow();
        // What was screened is kept under the person's key (read after the lock above, so an erasure that committed first
        // is seen: nothing more is stored then), so an erasure reaches it too. A bare name has no one's key: its birth date
        // is kept under the shared key ring.
        var key = subject.Owner is { } owner ? await personal.KeyOfAsync(db, owner, ct) : null;
        var screening = new ScreeningRow
        {
            Id = Guid.CreateVersion7(), EntityType = subject.EntityType, EntityId = subject.EntityId, OwnerId = subject.Owner,
            Name = key is null ? subject.Names[0] : key.Seal(subject.Names[0]),
            BirthDate = key is null ? (subject.BirthDate is { } born ? sensitive.Protect(born) : null) : key.Seal(subject.BirthDate),
            Country = subject.Country, Status = ScreeningStatus.Clear, Matches = "[]",
            ListVersions = JsonSerializer.Serialize(versions, Json.Options), CreatedAt = now, ScreenedBy = by,
        };
        var matches = new List<Screenings.MatchDto>();
        var statuses = new List<string>();
        foreach (var match in found)
        {
            var before = earlier.Where(r => r.Source == match.Source && r.EntryId == match.Entry.EntryId).ToList();
            var review = before.FirstOrDefault(r => ReviewStatus.Holding.Contains(r.Status));
            if (review is null && before.Count > 0)
            {
                continue; // dismissed for this entity before: remembered
            }
            if (subject.EntityId is null)
            {
                // An analyst's lookup of a bare name: the answer is the screening itself; there is no one to hold or review.
                statuses.Add(ReviewStatus.Open);
                matches.Add(new Screenings.MatchDto(match.Source, match.Entry.EntryId, match.MatchedName, match.Score, match.MatchedOn));
                continue;
            }
            if (review is null)
            {
                review = new ReviewRow
                {
                    Id = Guid.CreateVersion7(), Kind = ReviewKind.ScreeningMatch, Status = ReviewStatus.Open,
                    UserId = subject.Owner,
                    Reason = MatchReason(subject.EntityType, match.MatchedName, match.Source, match.Score),
                    ScreeningId = screening.Id, EntityType = subject.EntityType, EntityId = subject.EntityId, Source = match.Source,
                    EntryId = match.Entry.EntryId, MatchedName = match.MatchedName, Score = match.Score, CreatedAt = now,
                };
                db.Reviews.Add(review);
            }
            statuses.Add(review.Status);
            matches.Add(new Screenings.MatchDto(match.Source, match.Entry.EntryId, match.MatchedName, match.Score, match.MatchedOn, review.Id));
        }
        screening.Matches = JsonSerializer.Serialize(matches, Json.Options);
        screening.Status = ScreeningStatusOf(statuses);
        db.Screenings.Add(screening);
        await ComplianceHolds.SetAsync(db, subject.EntityType, subject.EntityId,
            held: statuses.Count > 0 || await ComplianceHolds.HasHoldingReviewAsync(db, subject.EntityId, ct), ct);
        await ScheduleNextAsync(subject, now, ct);
        return screening;
    }

    public const string ReasonPrefix = "The ";

    /// <summary>Why a match is reviewed: the listed name, never the person's (the screening keeps theirs, sealed).</summary>
    public static string MatchReason(string entityType, string matchedName, string source, double score) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{ReasonPrefix}{(entityType == Screenings.User ? "customer's name" : "account holder's name")} resembles {matchedName} on {source} (score {score:0.00})");

    /// <summary>A screened user or destination is next rescreened one interval from now: the default one until an analyst sets another.</summary>
    private async Task ScheduleNextAsync(ScreeningSubject subject, DateTime now, CancellationToken ct)
    {
        if (subject is not { EntityId: { } id, EntityType: Screenings.User or Screenings.DestinationAccount })
        {
            return;
        }
        var schedule = await db.ScreeningSchedules.FirstOrDefaultAsync(s => s.EntityType == subject.EntityType && s.EntityId == id, ct);
        if (schedule is null)
        {
            schedule = new ScreeningScheduleRow { EntityType = subject.EntityType, EntityId = id, IntervalDays = options.Value.Aml.RescreenIntervalDays };
            db.ScreeningSchedules.Add(schedule);
        }
        (schedule.NextDueAt, schedule.UpdatedAt) = (now.AddDays(schedule.IntervalDays), now);
    }

    /// <summary>A screening's status from its matches' reviews: confirmed if any is, a potential match while any is undecided.</summary>
    public static string ScreeningStatusOf(IReadOnlyCollection<string> reviewStatuses) =>
        reviewStatuses.Contains(ReviewStatus.Confirmed) ? ScreeningStatus.ConfirmedMatch
        : reviewStatuses.Any(ReviewStatus.Undecided.Contains) ? ScreeningStatus.PotentialMatch
        : reviewStatuses.Count > 0 ? ScreeningStatus.Dismissed
        : ScreeningStatus.Clear;

    /// <summary>Each listed entry once, at the best score any of the subject's names reached.</summary>
    private static List<ScreeningMatch> Best(ScreeningIndex index, ScreeningSubject subject, double minMatch) =>
        subject.Names.Where(n => !string.IsNullOrWhiteSpace(n))
            .SelectMany(name => index.Screen(new ScreeningQuery(name, subject.BirthDate, subject.Country), minMatch))
            .GroupBy(m => (m.Source, m.Entry.EntryId)).Select(g => g.MaxBy(m => m.Score)!)
            .OrderByDescending(m => m.Score).ToList();
}
