using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Finsoft.Api.MoneyPath.Store;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Aml;

/// <summary>
/// Screening a user, a destination account's holder, or a bare name against the lists in force, on an analyst's
/// request (<see cref="Screener"/> does the screening, here and automatically): every entry scoring at least
/// `Finsoft:Aml:MinMatch` is a match for an analyst to decide. Each screening is kept with the list versions it
/// was made against.
/// </summary>
public static class Screenings
{
    public const string User = "user";
    public const string DestinationAccount = "destination_account";
    public const string Name = "name";

    public sealed record Request(string? EntityType, Guid? EntityId, string? Name, string? BirthDate, string? Country);

    /// <summary>A listed entry the screening matched, and the review deciding it.</summary>
    public sealed record MatchDto(string Source, string EntryId, string Name, double Score, IReadOnlyList<string> MatchedOn, Guid? ReviewId = null);

    public sealed record Response(Guid Id, string EntityType, Guid? EntityId, string Name, string? BirthDate, string? Country, string Status,
        IReadOnlyList<MatchDto> Matches, IReadOnlyList<ListVersion> ListVersions, DateTime ScreenedAt)
    {
        /// <summary>
        /// What was screened, for the compliance staff: the AML duty to keep it outlives an erasure until the legal hold ends,
        /// so it is read under the hold (<see cref="PersonKey.OpenUnderHold"/>), and is "[erased]" once the key is shredded.
        /// </summary>
        /// A bare name's birth date is under the shared key ring.
        public static Response From(ScreeningRow s, PersonKey? ownerKey, SensitiveData sensitive) => new(s.Id, s.EntityType, s.EntityId,
            ownerKey?.OpenUnderHold(s.Name) ?? s.Name,
            ownerKey is null ? (s.BirthDate is { } born ? sensitive.Reveal(born) : null) : ownerKey.OpenUnderHold(s.BirthDate), s.Country, s.Status,
            JsonSerializer.Deserialize<List<MatchDto>>(s.Matches, Json.Options) ?? [], JsonSerializer.Deserialize<List<ListVersion>>(s.ListVersions, Json.Options) ?? [],
            s.CreatedAt);
    }

    public static async Task<JsonBody> Create(Request request, ClaimsPrincipal principal, FinsoftDb db, Screener screener, UnitOfWork work,
        PersonalData personal, SensitiveData sensitive, CancellationToken ct)
    {
        var validation = new Validation().Optional("country", request.Country, maxLength: 60);
        if (request.BirthDate is not null && !IsBirthDate(request.BirthDate))
        {
            validation.Add("birth_date", "birth_date must be yyyy-mm-dd or yyyy.");
        }
        switch (request.EntityType)
        {
            case Name:
                validation.Required("name", request.Name);
                break;
            case User:
            case DestinationAccount:
                validation.Required("entity_id", request.EntityId);
                break;
            default:
                validation.Add("entity_type", $"entity_type must be {User}, {DestinationAccount} or {Name}.");
                break;
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var subject = request.EntityType switch
        {
            User => await ScreeningSubject.OfUserAsync(db, personal, request.EntityId!.Value, ct),
            DestinationAccount => await ScreeningSubject.OfDestinationAsync(db, personal, request.EntityId!.Value, ct),
            _ => new ScreeningSubject(Name, null, [request.Name!.Trim()]),
        };
        if (subject is null)
        {
            return ApiResults.NotFound(request.EntityType == User ? "User not found" : "Destination account not found");
        }
        // Identifiers the analyst gives stand in for what is stored.
        subject = subject with { BirthDate = request.BirthDate ?? subject.BirthDate, Country = request.Country?.Trim() ?? subject.Country };
        var by = CurrentUser.From(principal).Id;
        var row = await work.RunAsync<ScreeningRow>(async ct =>
        {
            var screening = await screener.ScreenAsync(subject, by, ct);
            await db.SaveChangesAsync(ct);
            return screening;
        }, ct, alsoRetry: DatabaseSetup.IsUniqueViolation);
        return ApiResults.Created(Response.From(row.Value, row.Value.OwnerId is { } owner ? await personal.KeyOfAsync(db, owner, ct) : null, sensitive));
    }

    public static async Task<JsonBody> Get(Guid id, FinsoftDb db, PersonalData personal, SensitiveData sensitive, CancellationToken ct)
    {
        var row = await db.Screenings.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct);
        return row is null
            ? ApiResults.NotFound("Screening not found")
            : ApiResults.Ok(Response.From(row, row.OwnerId is { } owner ? await personal.KeyOfAsync(db, owner, ct) : null, sensitive));
    }

    public static async Task<JsonBody> List([Microsoft.AspNetCore.Mvc.FromQuery(Name = "entity_id")] Guid? entityId, string? status, int? limit,
        string? cursor, HttpRequest http, FinsoftDb db, PersonalData personal, SensitiveData sensitive, CancellationToken ct)
    {
        if (status is not (null or ScreeningStatus.Clear or ScreeningStatus.PotentialMatch or ScreeningStatus.ConfirmedMatch or ScreeningStatus.Dismissed))
        {
            return new Validation().Add("status", "status must be clear, potential_match, confirmed_match or dismissed.").Result;
        }
        if (!PageRequest.TryParse(limit, cursor, out var page, out var problem))
        {
            return problem!;
        }
        var query = db.Screenings.AsQueryable();
        if (entityId is { } entity)
        {
            query = query.Where(s => s.EntityId == entity);
        }
        if (status is not null)
        {
            query = query.Where(s => s.Status == status);
        }
        var rows = await PageResponse.ReadRowsAsync(query, page, newestFirst: true, ct);
        var keys = await personal.KeysOfAsync(db, rows.Where(s => s.OwnerId is not null).Select(s => s.OwnerId!.Value), ct);
        return PageResponse.Of(http, rows, page, s => Response.From(s, s.OwnerId is { } owner ? keys.GetValueOrDefault(owner, PersonKey.Shredded) : null, sensitive));
    }

    private static bool IsBirthDate(string text) =>
        (text.Length == 4 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        || DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
}
