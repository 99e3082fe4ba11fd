using System.Security.Claims;

namespace Finsoft.Api.Infrastructure.Auth;

/// <summary>Who is calling, read from the validated token's claims.</summary>
public sealed record CurrentUser(Guid Id, string Role, Guid SessionId)
{
    public bool IsAdmin => Role == Roles.Admin;

    /// <summary>Staff (viewer, analyst, admin) read every account and transaction; a customer only what it holds.</summary>
    public bool SeesEveryAccount => Role is Roles.Viewer or Roles.Analyst or Roles.Admin;

    public static CurrentUser From(ClaimsPrincipal principal) =>
        TryFrom(principal) ?? throw new InvalidOperationException("The endpoint requires authentication but no user is signed in.");

    public static CurrentUser? TryFrom(ClaimsPrincipal principal)
    {
        var sub = principal.FindFirstValue(TokenClaims.Subject);
        var sid = principal.FindFirstValue(TokenClaims.Session);
        var role = principal.FindFirstValue(TokenClaims.Role);
        return Guid.TryParse(sub, out var id) && Guid.TryParse(sid, out var session) && role is not null
            ? new CurrentUser(id, role, session)
            : null;
    }
}

public static class TokenClaims
{
    public const string Subject = "sub";
    public const string Session = "sid";
    public const string Role = "role";
    public const string TokenId = "jti";

    /// <summary>Only in a third-party provider's token (PSD2), never in a user's.</summary>
    public const string ClientId = "client_id";
}
