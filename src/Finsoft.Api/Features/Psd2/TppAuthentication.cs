using System.Security.Claims;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Finsoft.Api.Features.Psd2;

/// <summary>
/// How a third-party provider is known: a JWT for its own audience, minted by <c>/psd2/token</c> and signed like user tokens.
/// Only PSD2 paths look for one (every other path reads user tokens, which a TPP's never is), and there the token's audience
/// says which kind it is; a TPP's token lives only while the TPP is not revoked.
/// </summary>
public static class TppAuthentication
{
    public const string Scheme = "tpp";
    public const string Audience = "finsoft-psd2";

    /// <summary>The default scheme: it hands each request to the user scheme or, on a PSD2 path with a TPP's token, to <see cref="Scheme"/>.</summary>
    public const string Selector = "finsoft";

    private const string PathPrefix = "/api/v1/psd2";

    private static readonly JsonWebTokenHandler Handler = new();

    public static IServiceCollection AddTppAuthentication(this IServiceCollection services, FinsoftOptions options, SigningKey signingKey)
    {
        AuthSetup.JudgeLifetimeOnServiceClock(services, Scheme);
        services.AddAuthentication().AddJwtBearer(Scheme, jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = TokenService.ValidationFor(options.Jwt.Issuer, signingKey, Audience);
            jwt.TokenValidationParameters.NameClaimType = TokenClaims.ClientId;
            jwt.Events = new JwtBearerEvents
            {
                OnTokenValidated = RejectRevokedTppAsync,
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    await ApiResults.WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized,
                        "The TPP access token is invalid, expired or revoked; ask POST /api/v1/psd2/token for a new one.");
                },
                OnForbidden = context => ApiResults.WriteProblemAsync(context.HttpContext, StatusCodes.Status403Forbidden,
                    "A third-party provider's token does not allow this operation."),
            };
        });
        // Overrides the user scheme as the default (AuthSetup names it first): every request now passes the selector.
        services.Configure<AuthenticationOptions>(authentication => authentication.DefaultScheme = Selector);
        services.AddAuthentication().AddPolicyScheme(Selector, "A user's or a TPP's bearer token", scheme =>
            scheme.ForwardDefaultSelector = context => IsTppRequest(context) ? Scheme : JwtBearerDefaults.AuthenticationScheme);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Tpp, p => p.RequireAuthenticatedUser().RequireClaim(TokenClaims.ClientId))
            .AddPolicy(Policies.TppOrHolder, p => p.RequireAuthenticatedUser().RequireAssertion(context =>
                context.User.HasClaim(c => c.Type == TokenClaims.ClientId)
                || context.User.HasClaim(TokenClaims.Role, Roles.Customer) || context.User.HasClaim(TokenClaims.Role, Roles.Admin)));
        return services;
    }

    /// <summary>The TPP behind a request the <see cref="Scheme"/> admitted, or null for a user's.</summary>
    public static Guid? TppOf(ClaimsPrincipal principal) =>
        principal.FindFirstValue(TokenClaims.ClientId) is not null && Guid.TryParse(principal.FindFirstValue(TokenClaims.Subject), out var id) ? id : null;

    /// <summary>A PSD2 path carrying a token for the TPP audience. Read before validation only to choose who validates it.</summary>
    private static bool IsTppRequest(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments(PathPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length > 8192)
        {
            return false;
        }
        var token = header["Bearer ".Length..].Trim();
        try
        {
            return Handler.CanReadToken(token) && new JsonWebToken(token).Audiences.Contains(Audience, StringComparer.Ordinal);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or SecurityTokenException)
        {
            return false; // not a readable JWT: the user scheme refuses it (401)
        }
    }

    private static async Task RejectRevokedTppAsync(TokenValidatedContext context)
    {
        var tpp = TppOf(context.Principal!);
        var db = context.HttpContext.RequestServices.GetRequiredService<FinsoftDb>();
        if (tpp is null || !await db.Tpps.AnyAsync(t => t.Id == tpp && t.RevokedAt == null, context.HttpContext.RequestAborted))
        {
            context.Fail("TPP revoked.");
        }
    }
}
