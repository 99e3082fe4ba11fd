using System.Security.Claims;
using Finsoft.Api.Features.Aml;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Users;

/// <summary>
/// Seed 003's profile: CUIT (check digit validated, one user per CUIT), phone (E.164) and company, with the
/// birth date and country that screening compares. Every field but the country is sealed under the person's key
/// (<see cref="PersonalData"/>); the CUIT's uniqueness is checked on its keyed hash. PUT replaces the whole profile (an absent field is cleared), and the
/// user is screened again against the watch lists in the same commit.
/// </summary>
public static class Profiles
{
    public sealed record Request(string? Cuit, string? Phone, string? Company, string? BirthDate, string? Country);

    public sealed record ProfileDto(Guid UserId, string? Cuit, string? Phone, string? Company, string? BirthDate, string? Country, DateTime? UpdatedAt);

    public static Task<JsonBody> GetMine(ClaimsPrincipal principal, FinsoftDb db, PersonalData personal, CancellationToken ct) =>
        GetAsync(CurrentUser.From(principal).Id, db, personal, ct);

    public static Task<JsonBody> PutMine(Request request, ClaimsPrincipal principal, FinsoftDb db, SensitiveData sensitive, PersonalData personal, Screener screener,
        UnitOfWork work, AuditTrail audit, TimeProvider time, CancellationToken ct) =>
        PutAsync(CurrentUser.From(principal).Id, request, principal, db, sensitive, personal, screener, work, audit, time, ct);

    public static Task<JsonBody> GetAny(Guid id, FinsoftDb db, PersonalData personal, CancellationToken ct) => GetAsync(id, db, personal, ct);

    public static Task<JsonBody> PutAny(Guid id, Request request, ClaimsPrincipal principal, FinsoftDb db, SensitiveData sensitive, PersonalData personal, Screener screener,
        UnitOfWork work, AuditTrail audit, TimeProvider time, CancellationToken ct) =>
        PutAsync(id, request, principal, db, sensitive, personal, screener, work, audit, time, ct);

    private static async Task<JsonBody> GetAsync(Guid userId, FinsoftDb db, PersonalData personal, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId && u.DeletedAt == null, ct);
        if (user is null)
        {
            return AdminUsers.UserNotFound();
        }
        var row = await db.UserProfiles.AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId, ct);
        return ApiResults.Ok(ToDto(userId, row, personal.KeyOf(user)));
    }

    private static async Task<JsonBody> PutAsync(Guid userId, Request request, ClaimsPrincipal principal, FinsoftDb db, SensitiveData sensitive, PersonalData personal,
        Screener screener, UnitOfWork work, AuditTrail audit, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation().Optional("company", request.Company, 200);
        if (request.BirthDate is not null && (!DateOnly.TryParseExact(request.BirthDate, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out var born) || born > DateOnly.FromDateTime(time.UtcNow()) || born.Year < 1900))
        {
            validation.Add("birth_date", "birth_date must be a date (yyyy-mm-dd) from 1900 to today.");
        }
        var country = request.Country?.Trim().ToUpperInvariant();
        if (country is not null && !Finsoft.Screening.Countries.IsCode(country))
        {
            validation.Add("country", "country must be an ISO 3166-1 alpha-2 code, such as MX or AR.");
        }
        Cuit? cuit = null;
        if (request.Cuit is not null && !Cuit.TryParse(request.Cuit, out cuit, out var cuitError))
        {
            validation.Add("cuit", cuitError);
        }
        var phone = "";
        if (request.Phone is not null && !PhoneNumber.TryNormalize(request.Phone, out phone, out var phoneError))
        {
            validation.Add("phone", phoneError);
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        // One unit of work: the profile and the screening of the person it now describes commit together. The user's row is
        // locked first (as screenings and erasure lock it), so two changes of one profile run one after the other, and one
        // racing an erasure sees it.
        var saved = await work.RunAsync<JsonBody>(async ct =>
        {
            await ComplianceHolds.LockAsync(db, Screenings.User, userId, ct);
            var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId && u.DeletedAt == null, ct);
            if (user is null)
            {
                return AdminUsers.UserNotFound();
            }
            if (user.ErasedAt is not null)
            {
                return ApiResults.Problem(StatusCodes.Status409Conflict, "This person was erased at their request; nothing more is stored about them",
                    errorCode: "user_erased");
            }
            var key = personal.KeyOf(user);
            var fullName = key.Open(user.FullName);
            var cuitHash = cuit is null ? null : sensitive.Hash(SensitiveKinds.Cuit, cuit.Digits);
            if (cuitHash is not null && await db.UserProfiles.AnyAsync(p => p.CuitHash == cuitHash && p.UserId != userId, ct))
            {
                return ApiResults.Conflict("This CUIT is registered to another user");
            }
            var row = await db.UserProfiles.SingleOrDefaultAsync(p => p.UserId == userId, ct);
            if (row is null)
            {
                row = new UserProfileRow { UserId = userId };
                db.UserProfiles.Add(row);
            }
            var company = string.IsNullOrWhiteSpace(request.Company) ? null : request.Company.Trim();
            row.Cuit = key.Seal(cuit?.Digits);
            row.CuitHash = cuitHash;
            row.Phone = request.Phone is null ? null : key.Seal(phone);
            row.Company = key.Seal(company);
            row.BirthDate = key.Seal(request.BirthDate);
            row.Country = country;
            row.UpdatedAt = time.UtcNow();
            // Which fields were set, never their values: the audit trail must not become a copy of the data.
            audit.Add(db, AuditEvents.ProfileChanged, CurrentUser.From(principal).Id, userId, new
            {
                cuit = cuit is not null, phone = request.Phone is not null, company = row.Company is not null, birth_date = row.BirthDate is not null,
                country = row.Country is not null,
            });
            // Screened as the request describes the person: the birth date as given, not decrypted again from the row.
            var names = company is null ? new[] { fullName } : [fullName, company];
            await screener.ScreenAsync(new ScreeningSubject(Screenings.User, userId, names, request.BirthDate, country, Owner: userId), by: null, ct);
            await db.SaveChangesAsync(ct);
            return ApiResults.Ok(ToDto(userId, row, key));
        }, ct, alsoRetry: DatabaseSetup.IsUniqueViolation); // the same CUIT saved for two users at once: the second finds the first
        return saved.Value;
    }

    public static ProfileDto ToDto(Guid userId, UserProfileRow? row, PersonKey key) => new(
        userId,
        key.Open(row?.Cuit) is { } cuit && Cuit.TryParse(cuit, out var parsed, out _) ? parsed!.Formatted : key.Open(row?.Cuit),
        key.Open(row?.Phone),
        key.Open(row?.Company),
        key.Open(row?.BirthDate),
        row?.Country,
        row?.UpdatedAt);
}
