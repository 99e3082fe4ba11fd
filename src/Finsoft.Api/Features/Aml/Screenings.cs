using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Screening;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Aml;

/// <summary>
/// Screening a user, a destination account's holder, or a bare name against the lists in force: every
/// entry scoring at least `Finsoft:Aml:MinMatch` is a match; any match makes the screening a potential
/// match for an analyst to decide. Each screening is kept with the list versions it was made against.
/// </summary>
public static class Screenings
{
    public const string User = "user";
    public const string DestinationAccount = "destination_account";
    public const string Name = "name";

    public sealed record Request(string? EntityType, Guid? EntityId, string? Name, string? BirthDate, string? Country);

    public sealed record MatchDto(string Source, string EntryId, string Name, double Score, IReadOnlyList<string> MatchedOn);

    public sealed record Response(Guid Id, string EntityType, Guid? EntityId, string Name, string? BirthDate, string? Country, string Status,
        IReadOnlyList<MatchDto> Matches, IReadOnlyList<ListVersion> ListVersions, DateTime ScreenedAt)
    {
        public static Response From(ScreeningRow s) => new(s.Id, s.EntityType, s.EntityId, s.Name, s.BirthDate, s.Country, s.Status,
            JsonSerializer.Deserialize<List<MatchDto>>(s.Matches, Json.Options) ?? [], JsonSerializer.Deserialize<List<ListVersion>>(s.ListVersions, Json.Options) ?? [],
            s.CreatedAt);
    }

    public static async Task<JsonBody> Create(Request request, ClaimsPrincipal principal, FinsoftDb db, WatchlistIndex lists,
        IOptions<FinsoftOptions> options, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation().Optional("country", request.Country, maxLength: 60);
        if (request.BirthDate is not null && !IsBirthDate(request.BirthDate))
        {
            validation.Add("birth_date", "birth_date must be yyyy-mm-dd or yyyy.");
        }
        string? name = null;
        switch (request.EntityType)
        {
            case Name:
                validation.Required("name", request.Name);
                name = request.Name?.Trim();
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
        if (request.EntityType == User)
        {
            name = await db.Users.AsNoTracking().Where(u => u.Id == request.EntityId).Select(u => u.FullName).FirstOrDefaultAsync(ct);
        }
        else if (request.EntityType == DestinationAccount)
        {
            name = await db.DestinationAccounts.AsNoTracking().Where(d => d.Id == request.EntityId).Select(d => d.HolderFullName).FirstOrDefaultAsync(ct);
        }
        if (name is null)
        {
            return ApiResults.NotFound(request.EntityType == User ? "User not found" : "Destination account not found");
        }
        var row = await ScreenAsync(db, lists, options.Value.Aml.MinMatch, request.EntityType!, request.EntityId, name, request.BirthDate, request.Country,
            CurrentUser.From(principal).Id, time.UtcNow(), ct);
        return ApiResults.Created(Response.From(row));
    }

    /// <summary>Screens and records; what automatic screening (registration, new destinations) will call too.</summary>
    public static async Task<ScreeningRow> ScreenAsync(FinsoftDb db, WatchlistIndex lists, double minMatch, string entityType, Guid? entityId, string name,
        string? birthDate, string? country, Guid? by, DateTime now, CancellationToken ct)
    {
        var (index, versions) = await lists.CurrentAsync(db, ct);
        var matches = index.Screen(new ScreeningQuery(name, birthDate, country), minMatch)
            .Select(m => new MatchDto(m.Source, m.Entry.EntryId, m.MatchedName, m.Score, m.MatchedOn)).ToList();
        var row = new ScreeningRow
        {
            Id = Guid.CreateVersion7(), EntityType = entityType, EntityId = entityId, Name = name, BirthDate = birthDate, Country = country,
            Status = matches.Count > 0 ? ScreeningStatus.PotentialMatch : ScreeningStatus.Clear,
            Matches = JsonSerializer.Serialize(matches, Json.Options), ListVersions = JsonSerializer.Serialize(versions, Json.Options),
            CreatedAt = now, ScreenedBy = by,
        };
        db.Screenings.Add(row);
        await db.SaveChangesAsync(ct);
        return row;
    }

    public static async Task<JsonBody> Get(Guid id, FinsoftDb db, CancellationToken ct) =>
        await db.Screenings.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) is { } row
            ? ApiResults.Ok(Response.From(row))
            : ApiResults.NotFound("Screening not found");

    public static async Task<JsonBody> List([Microsoft.AspNetCore.Mvc.FromQuery(Name = "entity_id")] Guid? entityId, string? status, int? limit,
        string? cursor, HttpRequest http, FinsoftDb db, CancellationToken ct)
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
        return await PageResponse.ReadAsync(query, page, newestFirst: true, http, Response.From, ct);
    }

    private static bool IsBirthDate(string text) =>
        (text.Length == 4 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        || DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
}
