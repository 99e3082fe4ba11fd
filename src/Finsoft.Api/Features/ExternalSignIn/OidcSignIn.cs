using System.Security.Claims;
using System.Security.Cryptography;
using Finsoft.Api.Features.Aml;
using Finsoft.Api.Features.Identity;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Finsoft.Api.MoneyPath.Store;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.ExternalSignIn;

/// <summary>
/// Sign-in through an external provider, after <see cref="OidcSetup"/>'s handler has verified the provider's answer. The
/// provider's subject signs in as the user it is linked to. An unlinked one becomes a new customer, unless a user already has
/// its email: then it is linked only when the provider vouches for the email and the user confirms with its password
/// (<see cref="Link"/>). Either way Finsoft answers as at login: its own tokens, or the second factor's challenge.
/// </summary>
public static class OidcSignIn
{
    public const string LinkAudience = "finsoft-oidc-link";
    public const int LinkTokenMinutes = 10;
    private const string ProviderClaim = "provider";

    public sealed record Provider(string Name, string DisplayName, string LoginUrl);

    /// <summary>The answer when the provider's email belongs to an existing user: confirm with its password to link.</summary>
    public sealed record LinkChallenge(bool LinkRequired, string LinkToken, string Provider, string Email, DateTime ExpiresAt);

    public sealed record LinkRequest(string? LinkToken, string? Password);

    public static JsonBody Providers(IOptions<FinsoftOptions> options) => ApiResults.Ok(options.Value.Oidc.Providers
        .OrderBy(p => p.Key, StringComparer.Ordinal)
        .Select(p => new Provider(p.Key, p.Value.DisplayName ?? p.Key, $"{OidcSetup.PathPrefix}/{p.Key}/login")).ToList());

    /// <summary>Sends the browser to the provider; it comes back to the handler's callback, then to <see cref="Complete"/>.</summary>
    public static IResult Start(string provider, IOptions<FinsoftOptions> options) =>
        options.Value.Oidc.Providers.ContainsKey(provider)
            ? TypedResults.Challenge(new AuthenticationProperties { RedirectUri = $"{OidcSetup.PathPrefix}/{provider}/complete" }, [OidcSetup.SchemeOf(provider)])
            : UnknownProvider;

    public static async Task<IResult> Complete(string provider, HttpContext http, FinsoftDb db, Passwords passwords, Screener screener, TokenService tokens,
        SignInGuard guard, AuditTrail audit, SmsCodes sms, PersonalData personal, IOptions<FinsoftOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (!options.Value.Oidc.Providers.ContainsKey(provider))
        {
            return UnknownProvider;
        }
        var proof = await http.AuthenticateAsync(OidcSetup.ExternalCookie);
        await http.SignOutAsync(OidcSetup.ExternalCookie); // good for one sign-in
        var principal = proof.Principal;
        string? verifiedBy = null;
        if (!proof.Succeeded || proof.Properties?.Items.TryGetValue(OidcSetup.ProviderItem, out verifiedBy) != true || verifiedBy != provider
            || principal?.FindFirstValue("sub") is not { Length: > 0 } subject)
        {
            return ApiResults.Problem(StatusCodes.Status401Unauthorized, $"No sign-in with {provider} is under way; start at {OidcSetup.PathPrefix}/{provider}/login.");
        }
        var email = principal.FindFirstValue("email") is { Length: > 0 } given ? Passwords.NormalizeEmail(given) : null;
        var emailVerified = string.Equals(principal.FindFirstValue("email_verified"), "true", StringComparison.OrdinalIgnoreCase);
        var details = new { mfa = false, provider };

        var link = await db.ExternalLogins.FirstOrDefaultAsync(l => l.Provider == provider && l.Subject == subject, ct);
        if (link is not null)
        {
            var linked = await db.Users.FirstOrDefaultAsync(u => u.Id == link.UserId && u.DeletedAt == null, ct);
            if (linked is not { IsActive: true } || guard.IsLocked(linked))
            {
                await audit.RecordAsync(db, AuditEvents.LoginFailed, null, link.UserId, new { reason = linked is null ? "deleted" : "inactive_or_locked", provider });
                return Login.Refused();
            }
            link.LastUsedAt = time.UtcNow();
            await db.SaveChangesAsync(ct);
            return await Login.FirstFactorPassedAsync(db, linked, tokens, guard, audit, sms, personal, options.Value, time, details, ct);
        }
        if (email is null || !emailVerified)
        {
            return ApiResults.Problem(StatusCodes.Status422UnprocessableEntity,
                $"{provider} did not vouch for an email address (email and email_verified); Finsoft needs one to open or link an account.",
                errorCode: "email_unverified");
        }
        var emailHash = personal.EmailHash(email);
        if (await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.EmailHash == emailHash && u.DeletedAt == null, ct) is { } existing)
        {
            var token = tokens.CreatePurposeToken(LinkAudience, TimeSpan.FromMinutes(LinkTokenMinutes),
                new Claim(TokenClaims.Subject, existing.Id.ToString()), new Claim(ProviderClaim, provider), new Claim("external_subject", subject));
            return ApiResults.Ok(new LinkChallenge(true, token, provider, email, time.UtcNow().AddMinutes(LinkTokenMinutes)));
        }
        var name = principal.FindFirstValue("name") is { Length: > 0 and <= 200 } full ? full : email;
        var now = time.UtcNow();
        // Nobody knows this password: the user signs in through the provider.
        var created = await Register.CreateAsync(db, passwords, personal, screener, time, name, email, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            Roles.Customer, ct, user =>
            {
                db.ExternalLogins.Add(new ExternalLoginRow { Provider = provider, Subject = subject, UserId = user.Id, CreatedAt = now, LastUsedAt = now });
                audit.Add(db, AuditEvents.UserCreated, user.Id, user.Id, new { role = user.Role, self_registered = true, provider });
            });
        if (created is null)
        {
            // The email is taken after all: by a deleted user (whose email stays reserved), or by a sign-in that got there first.
            return ApiResults.Conflict($"An account with this email exists or existed; it cannot be opened through {provider}. Sign in again, or with the password.");
        }
        return await Login.FirstFactorPassedAsync(db, created, tokens, guard, audit, sms, personal, options.Value, time, details, ct);
    }

    /// <summary>The user confirms, with its password, that the provider's subject may sign in as it from now on.</summary>
    public static async Task<JsonBody> Link(LinkRequest request, FinsoftDb db, Passwords passwords, TokenService tokens, SignInGuard guard, AuditTrail audit,
        SmsCodes sms, PersonalData personal, IOptions<FinsoftOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (await tokens.ReadPurposeTokenAsync(LinkAudience, request.LinkToken) is not { } claims
            || !Guid.TryParse(claims.GetValueOrDefault(TokenClaims.Subject) as string, out var userId)
            || claims.GetValueOrDefault(ProviderClaim) is not string provider || claims.GetValueOrDefault("external_subject") is not string subject)
        {
            return ApiResults.Problem(StatusCodes.Status401Unauthorized, "The link token is invalid or expired; sign in with the provider again.");
        }
        if (string.IsNullOrEmpty(request.Password) || request.Password.Length > Passwords.MaxLength)
        {
            return ApiResults.Invalid(new Dictionary<string, string[]> { ["password"] = ["password is required."] });
        }
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId && u.DeletedAt == null, ct);
        if (user is null || !user.IsActive || guard.IsLocked(user))
        {
            return Login.Refused();
        }
        if (!passwords.Verify(user, request.Password))
        {
            await guard.RecordFailureAsync(db, user, AuditEvents.LoginFailed, new { reason = "wrong_password", provider });
            return Login.Refused();
        }
        var now = time.UtcNow();
        db.ExternalLogins.Add(new ExternalLoginRow { Provider = provider, Subject = subject, UserId = user.Id, CreatedAt = now, LastUsedAt = now });
        audit.Add(db, AuditEvents.ExternalLoginLinked, user.Id, user.Id, new { provider });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DatabaseSetup.IsUniqueViolation(e))
        {
            return ApiResults.Conflict($"This {provider} sign-in, or another {provider} sign-in of yours, is linked already.");
        }
        return await Login.FirstFactorPassedAsync(db, user, tokens, guard, audit, sms, personal, options.Value, time, new { mfa = false, provider }, ct);
    }

    private static JsonBody UnknownProvider => ApiResults.NotFound("No such sign-in provider");
}
