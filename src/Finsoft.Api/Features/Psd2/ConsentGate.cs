using System.Globalization;
using System.Net;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Psd2;

/// <summary>
/// Admits a TPP's account-information request under the consent its `Consent-ID` header names, or refuses it with the Berlin
/// Group's code: FORMAT_ERROR (400), CONSENT_UNKNOWN (403: no such consent of this TPP), CONSENT_INVALID (401: not authorised
/// or ended; 403: not for this account or kind), CONSENT_EXPIRED (401), RESOURCE_UNKNOWN (403: the customer no longer holds the
/// account), ACCESS_EXCEEDED (429: the day's accesses without the customer are used up). Every attempt is audited.
/// </summary>
public sealed class ConsentGate(FinsoftDb db, AuditTrail audit, TimeProvider time)
{
    public const string FormatError = "FORMAT_ERROR";
    public const string Unknown = "CONSENT_UNKNOWN";
    public const string Invalid = "CONSENT_INVALID";
    public const string Expired = "CONSENT_EXPIRED";
    public const string ResourceUnknown = "RESOURCE_UNKNOWN";
    public const string AccessExceeded = "ACCESS_EXCEEDED";

    /// <summary>The account-list call is counted under the nil account id.</summary>
    public static readonly Guid AccountList = Guid.Empty;

    public sealed record Reason(string Code, string Message);

    public sealed record Admission(ConsentRow Consent, ConsentAccess Access);

    /// <returns>The consent when the request may go ahead; otherwise the refusal to answer with.</returns>
    public async Task<(Admission? Admitted, JsonBody? Refusal)> AdmitAsync(HttpContext http, string kind, Guid? account, CancellationToken ct)
    {
        var tppId = TppAuthentication.TppOf(http.User)!.Value;
        var psuAddress = http.Request.Headers["PSU-IP-Address"].ToString();
        if (psuAddress.Length > 0 && !IPAddress.TryParse(psuAddress, out _))
        {
            return (null, await RefuseAsync(null, tppId, account, kind, StatusCodes.Status400BadRequest, FormatError, "PSU-IP-Address must be an IP address."));
        }
        if (!Guid.TryParse(http.Request.Headers["Consent-ID"].ToString(), out var consentId))
        {
            return (null, await RefuseAsync(null, tppId, account, kind, StatusCodes.Status400BadRequest, FormatError, "The Consent-ID header must name a consent."));
        }
        var consent = await db.Consents.AsNoTracking().FirstOrDefaultAsync(c => c.Id == consentId && c.TppId == tppId, ct);
        if (consent is null)
        {
            return (null, await RefuseAsync(null, tppId, account, kind, StatusCodes.Status403Forbidden, Unknown, "This TPP has no consent with that id."));
        }
        if (StateAgainst(consent, Today(time)) is { } state)
        {
            return (null, await RefuseAsync(consent, tppId, account, kind, StatusCodes.Status401Unauthorized, state.Code, state.Message));
        }
        var access = ConsentAccess.Of(consent);
        if (account is { } id)
        {
            if (!access.Grants(kind, id))
            {
                return (null, await RefuseAsync(consent, tppId, account, kind, StatusCodes.Status403Forbidden, Invalid,
                    $"The consent does not grant {kind} of this account."));
            }
            if (!await db.OpenWallets().HeldBy(db, consent.UserId!.Value).AnyAsync(a => a.Id == id, ct))
            {
                return (null, await RefuseAsync(consent, tppId, account, kind, StatusCodes.Status403Forbidden, ResourceUnknown,
                    "The customer no longer holds this account, or it is closed."));
            }
        }
        var psuPresent = psuAddress.Length > 0;
        if (!psuPresent && !await CountAsync(consent, account ?? AccountList, ct))
        {
            var refusal = await RefuseAsync(consent, tppId, account, kind, StatusCodes.Status429TooManyRequests, AccessExceeded,
                $"The consent allows {consent.FrequencyPerDay} accesses a day to this account without the customer present; the count starts again at 00:00 UTC.");
            var now = time.GetUtcNow();
            refusal.Headers["Retry-After"] = Math.Max(1, (int)Math.Ceiling((now.Date.AddDays(1) - now.UtcDateTime).TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return (null, refusal);
        }
        var at = time.UtcNow();
        await db.Consents.Where(c => c.Id == consent.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastActionAt, at), ct);
        await audit.RecordAsync(db, AuditEvents.Psd2Accessed, null, consent.UserId,
            new { consent_id = consent.Id, tpp_id = tppId, account_id = account, kind, psu_present = psuPresent });
        return (new Admission(consent, access), null);
    }

    /// <summary>A request the TPP got wrong before any consent is looked at (a query parameter): 400 FORMAT_ERROR, audited like any refusal.</summary>
    public Task<JsonBody> FormatErrorAsync(HttpContext http, string kind, Guid? account, string message) =>
        RefuseAsync(null, TppAuthentication.TppOf(http.User)!.Value, account, kind, StatusCodes.Status400BadRequest, FormatError, message);

    /// <summary>Everything that keeps a consent from being used now (nothing: it is valid).</summary>
    public static async Task<List<Reason>> ReasonsAgainstAsync(FinsoftDb db, ConsentRow consent, TppRow tpp, TimeProvider time, CancellationToken ct)
    {
        var reasons = new List<Reason>();
        if (StateAgainst(consent, Today(time)) is { } state)
        {
            reasons.Add(state);
        }
        if (tpp.RevokedAt is not null)
        {
            reasons.Add(new Reason(Invalid, "The TPP's registration was revoked."));
        }
        if (consent.UserId is { } user)
        {
            if (await NotHeldAsync(db, user, ConsentAccess.Of(consent).AllAccounts, ct) is { Count: > 0 } gone)
            {
                reasons.Add(new Reason(ResourceUnknown, $"The customer no longer holds, or closed, accounts: {string.Join(", ", gone)}."));
            }
        }
        return reasons;
    }

    /// <summary>Which of these accounts are not open wallets the user holds.</summary>
    public static async Task<List<Guid>> NotHeldAsync(FinsoftDb db, Guid user, IReadOnlyList<Guid> accounts, CancellationToken ct)
    {
        var held = await db.OpenWallets().HeldBy(db, user).Where(a => accounts.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct);
        return accounts.Except(held).ToList();
    }

    /// <summary>Why the consent's state keeps it from use: not authorised, ended, or past its last day (whether or not the expiry job ran).</summary>
    private static Reason? StateAgainst(ConsentRow consent, DateOnly today) =>
        consent.Status == ConsentStatus.Expired || (ConsentStatus.IsLive(consent.Status) && consent.ValidUntil < today)
            ? new Reason(Expired, $"The consent expired after {consent.ValidUntil:yyyy-MM-dd}.")
            : consent.Status == ConsentStatus.Valid ? null
            : new Reason(Invalid, consent.Status == ConsentStatus.Received ? "The customer has not authorised the consent." : $"The consent was ended ({consent.Status}).");

    /// <summary>Counts one access unless the day's allowance is used up; safe against concurrent requests (the row's key and a conditional increment).</summary>
    private async Task<bool> CountAsync(ConsentRow consent, Guid account, CancellationToken ct)
    {
        var day = Today(time);
        var limit = consent.FrequencyPerDay;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var counted = await db.ConsentUsage.Where(u => u.ConsentId == consent.Id && u.AccountId == account && u.Day == day && u.Calls < limit)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.Calls, u => u.Calls + 1), ct);
            if (counted == 1)
            {
                return true;
            }
            if (await db.ConsentUsage.AnyAsync(u => u.ConsentId == consent.Id && u.AccountId == account && u.Day == day, ct))
            {
                return false;
            }
            db.ConsentUsage.Add(new ConsentUsageRow { ConsentId = consent.Id, AccountId = account, Day = day, Calls = 1 });
            try
            {
                await db.SaveChangesAsync(ct);
                return true;
            }
            catch (DbUpdateException e) when (DatabaseSetup.IsUniqueViolation(e))
            {
                db.ChangeTracker.Clear(); // another request made the day's row first: count on it
            }
        }
        return false;
    }

    /// <summary>The consent's calendar: days end at 00:00 UTC.</summary>
    public static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    private async Task<JsonBody> RefuseAsync(ConsentRow? consent, Guid tppId, Guid? account, string kind, int status, string code, string message)
    {
        await audit.RecordAsync(db, AuditEvents.Psd2AccessRefused, null, consent?.UserId,
            new { consent_id = consent?.Id, tpp_id = tppId, account_id = account, kind, code });
        return ApiResults.Problem(status, message, errorCode: code);
    }
}
