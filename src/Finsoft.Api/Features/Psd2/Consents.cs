using System.Security.Claims;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Psd2;

/// <summary>
/// The consent lifecycle. A TPP asks (received); the customer, signed in to Finsoft, authorises it for the accounts it holds
/// (valid); it ends when its day passes (expired), the customer revokes it or the TPP terminates it. Only a consent's own TPP
/// and its customer see it (a received one, not yet anyone's, is seen by the customer asked to authorise it); admins see all.
/// </summary>
public static class Consents
{
    /// <summary>The longest a consent may run: the Berlin Group's 180 days, after which the customer is asked again.</summary>
    public const int MaxValidDays = 180;

    /// <summary>PSD2 RTS art. 36(5): at most four accesses a day without the customer present.</summary>
    public const int MaxFrequencyPerDay = 4;

    public sealed record CreateRequest(ConsentAccess? Access, bool? RecurringIndicator, DateOnly? ValidUntil, int? FrequencyPerDay);

    public sealed record Created(Guid ConsentId, string ConsentStatus,
        [property: System.Text.Json.Serialization.JsonPropertyName("_links")] ConsentLinks Links);

    public sealed record Validity(bool Valid, IReadOnlyList<ConsentGate.Reason> Reasons);

    public static async Task<JsonBody> Create(CreateRequest request, HttpRequest http, ClaimsPrincipal principal, FinsoftDb db, AuditTrail audit,
        TimeProvider time, CancellationToken ct)
    {
        var tppId = TppAuthentication.TppOf(principal);
        var tpp = await db.Tpps.AsNoTracking().SingleAsync(t => t.Id == tppId, ct);
        var today = ConsentGate.Today(time);
        var validation = new Validation();
        if (request.Access is not { } access || access.AllAccounts.Count == 0)
        {
            validation.Add("access", "access must name at least one account in accounts, balances or transactions.");
        }
        else if (access.AllAccounts.Count > ConsentAccess.MaxAccounts)
        {
            validation.Add("access", $"access may name at most {ConsentAccess.MaxAccounts} accounts.");
        }
        if (request.RecurringIndicator is null)
        {
            validation.Add("recurring_indicator", "recurring_indicator is required: true for repeated access, false for a one-off.");
        }
        if (request.ValidUntil is not { } until || until < today || until > today.AddDays(MaxValidDays))
        {
            validation.Add("valid_until", $"valid_until must be a date from today to {MaxValidDays} days ahead.");
        }
        if (request.FrequencyPerDay is not (>= 1 and <= MaxFrequencyPerDay))
        {
            validation.Add("frequency_per_day", $"frequency_per_day must be 1 to {MaxFrequencyPerDay}.");
        }
        else if (request.RecurringIndicator == false && request.FrequencyPerDay != 1)
        {
            validation.Add("frequency_per_day", "A one-off consent (recurring_indicator false) has frequency_per_day 1.");
        }
        var redirect = http.Headers["TPP-Redirect-URI"].ToString();
        if (redirect.Length > 0 && !Tpps.RedirectUrisOf(tpp).Contains(redirect, StringComparer.Ordinal))
        {
            validation.Add("TPP-Redirect-URI", "TPP-Redirect-URI must be one of the redirect URIs the TPP registered.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var now = time.UtcNow();
        var consent = new ConsentRow
        {
            Id = Guid.NewGuid(), // random, not time-ordered: the id travels in URLs the customer is sent to
            TppId = tpp.Id, Status = ConsentStatus.Received, Access = request.Access!.ToJson(), RecurringIndicator = request.RecurringIndicator!.Value,
            ValidUntil = request.ValidUntil!.Value, FrequencyPerDay = request.FrequencyPerDay!.Value, TppRedirectUri = redirect.Length > 0 ? redirect : null,
            CreatedAt = now, StatusChangedAt = now,
        };
        db.Consents.Add(consent);
        audit.Add(db, AuditEvents.ConsentReceived, null, null, new { consent_id = consent.Id, tpp_id = tpp.Id });
        await db.SaveChangesAsync(ct);
        var sca = new Link($"{http.Scheme}://{http.Host}{http.PathBase}/api/v1/psd2/consents/{consent.Id}/authorise");
        return ApiResults.Created(new Created(consent.Id, consent.Status, new ConsentLinks(ScaRedirect: sca)));
    }

    public static async Task<JsonBody> Get(Guid id, ClaimsPrincipal principal, FinsoftDb db, CancellationToken ct) =>
        await VisibleAsync(db, principal, id, ct) is var (consent, tpp) ? ApiResults.Ok(ConsentDto.From(consent, tpp)) : NotFound;

    /// <summary>Whether the consent can be used now, and if not, every reason why.</summary>
    public static async Task<JsonBody> Validate(Guid id, ClaimsPrincipal principal, FinsoftDb db, TimeProvider time, CancellationToken ct)
    {
        if (await VisibleAsync(db, principal, id, ct) is not var (consent, tpp))
        {
            return NotFound;
        }
        var reasons = await ConsentGate.ReasonsAgainstAsync(db, consent, tpp, time, ct);
        return ApiResults.Ok(new Validity(reasons.Count == 0, reasons));
    }

    /// <summary>The customer's strong authentication is its sign-in (with MFA when on); it may authorise only accounts it holds.</summary>
    public static async Task<JsonBody> Authorise(Guid id, ClaimsPrincipal principal, FinsoftDb db, AuditTrail audit, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(principal);
        if (await VisibleAsync(db, principal, id, ct) is not var (consent, tpp) || consent.UserId is { } holder && holder != user.Id)
        {
            return NotFound;
        }
        if (consent.Status != ConsentStatus.Received)
        {
            return ApiResults.Conflict($"The consent is {consent.Status}; only a received consent can be authorised.");
        }
        if (tpp.RevokedAt is not null)
        {
            return ApiResults.Conflict($"{tpp.Name} is no longer registered with Finsoft; its consent cannot be authorised.");
        }
        if (consent.ValidUntil < ConsentGate.Today(time))
        {
            return ApiResults.Conflict("The consent's valid_until has passed; the TPP must ask for a new one.");
        }
        if (await ConsentGate.NotHeldAsync(db, user.Id, ConsentAccess.Of(consent).AllAccounts, ct) is { Count: > 0 } foreign)
        {
            return ApiResults.Invalid(new Dictionary<string, string[]>
            {
                ["access"] = [$"The consent names accounts you do not hold (or that are closed): {string.Join(", ", foreign)}."],
            });
        }
        var now = time.UtcNow();
        var authorised = await db.Consents.Where(c => c.Id == id && c.Status == ConsentStatus.Received && c.UserId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ConsentStatus.Valid).SetProperty(c => c.UserId, user.Id)
                .SetProperty(c => c.AuthorisedAt, now).SetProperty(c => c.StatusChangedAt, now), ct);
        if (authorised == 0)
        {
            return ApiResults.Conflict("The consent changed meanwhile; read it again.");
        }
        await audit.RecordAsync(db, AuditEvents.ConsentAuthorised, user.Id, user.Id, new { consent_id = id, tpp_id = tpp.Id });
        (consent.Status, consent.UserId, consent.AuthorisedAt, consent.StatusChangedAt) = (ConsentStatus.Valid, user.Id, now, now);
        var back = consent.TppRedirectUri is { } uri ? new Link($"{uri}{(uri.Contains('?', StringComparison.Ordinal) ? '&' : '?')}consent_id={id}") : null;
        return ApiResults.Ok(ConsentDto.From(consent, tpp, back is null ? null : new ConsentLinks(TppRedirect: back)));
    }

    /// <summary>The TPP terminates its consent; the customer revokes its own. Either is final.</summary>
    public static async Task<IResult> Delete(Guid id, ClaimsPrincipal principal, FinsoftDb db, AuditTrail audit, TimeProvider time, CancellationToken ct)
    {
        var byTpp = TppAuthentication.TppOf(principal);
        var user = byTpp is null ? CurrentUser.From(principal) : null;
        var consent = await VisibleAsync(db, principal, id, ct) is var (found, _) && (byTpp is not null || found.UserId == user!.Id) ? found : null;
        if (consent is null)
        {
            return NotFound;
        }
        var ending = byTpp is null ? ConsentStatus.RevokedByPsu : ConsentStatus.TerminatedByTpp;
        var now = time.UtcNow();
        var ended = await db.Consents.Where(c => c.Id == id && (c.Status == ConsentStatus.Received || c.Status == ConsentStatus.Valid))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ending).SetProperty(c => c.StatusChangedAt, now), ct);
        if (ended == 0)
        {
            return ApiResults.Conflict($"The consent has already ended ({consent.Status}).");
        }
        await audit.RecordAsync(db, byTpp is null ? AuditEvents.ConsentRevoked : AuditEvents.ConsentTerminated, user?.Id, consent.UserId,
            new { consent_id = id, tpp_id = consent.TppId });
        return TypedResults.NoContent();
    }

    /// <summary>The customer's consents, newest first, with the TPP each was given to.</summary>
    public static Task<JsonBody> ListMine(int? limit, string? cursor, HttpRequest http, ClaimsPrincipal principal, FinsoftDb db, CancellationToken ct) =>
        ListAsync(db.Consents.Where(c => c.UserId == CurrentUser.From(principal).Id), limit, cursor, http, db, ct);

    /// <summary>For admins: every consent, newest first, or one customer's (<c>user_id</c>), or those in one status.</summary>
    public static Task<JsonBody> List([FromQuery(Name = "user_id")] Guid? userId, string? status, int? limit, string? cursor, HttpRequest http,
        FinsoftDb db, CancellationToken ct)
    {
        if (status is not null && !ConsentStatus.All.Contains(status))
        {
            return Task.FromResult(new Validation().Add("status", $"status must be one of {string.Join(", ", ConsentStatus.All)}.").Result);
        }
        var query = db.Consents.AsQueryable();
        if (userId is { } person)
        {
            query = query.Where(c => c.UserId == person);
        }
        if (status is not null)
        {
            query = query.Where(c => c.Status == status);
        }
        return ListAsync(query, limit, cursor, http, db, ct);
    }

    private static async Task<JsonBody> ListAsync(IQueryable<ConsentRow> query, int? limit, string? cursor, HttpRequest http, FinsoftDb db, CancellationToken ct)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var problem))
        {
            return problem!;
        }
        var rows = await PageResponse.ReadRowsAsync(query, page, newestFirst: true, ct);
        var tppIds = rows.Select(c => c.TppId).Distinct().ToList();
        var tpps = await db.Tpps.AsNoTracking().Where(t => tppIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, ct);
        return PageResponse.Of(http, rows, page, c => ConsentDto.From(c, tpps[c.TppId]));
    }

    /// <summary>
    /// The consent and its TPP if the caller may see it: a TPP its own; a customer its own, or a received one (to authorise it);
    /// an admin any.
    /// </summary>
    private static async Task<(ConsentRow Consent, TppRow Tpp)?> VisibleAsync(FinsoftDb db, ClaimsPrincipal principal, Guid id, CancellationToken ct)
    {
        var query = db.Consents.AsNoTracking().Where(c => c.Id == id);
        if (TppAuthentication.TppOf(principal) is { } tppId)
        {
            query = query.Where(c => c.TppId == tppId);
        }
        else if (CurrentUser.From(principal) is { IsAdmin: false } user)
        {
            query = query.Where(c => c.UserId == user.Id || (c.UserId == null && c.Status == ConsentStatus.Received));
        }
        var found = await query.Join(db.Tpps, c => c.TppId, t => t.Id, (c, t) => new { c, t }).FirstOrDefaultAsync(ct);
        return found is null ? null : (found.c, found.t);
    }

    private static JsonBody NotFound => ApiResults.NotFound("Consent not found");
}
