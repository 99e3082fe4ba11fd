using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Finsoft.Api.Infrastructure.Auth;

public static class AuthSetup
{
    public static IServiceCollection AddFinsoftAuth(this IServiceCollection services, FinsoftOptions options, SigningKey signingKey)
    {
        services.AddSingleton(signingKey);
        services.AddSingleton<TokenService>();
        services.AddSingleton<SessionGate>();
        services.AddHostedService(provider => provider.GetRequiredService<SessionGate>());
        services.AddSingleton<ValidatedTokenCache>();
        JudgeLifetimeOnServiceClock(services, JwtBearerDefaults.AuthenticationScheme);
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = TokenService.ValidationFor(options.Jwt.Issuer, signingKey, options.Jwt.Audience);
            jwt.TokenValidationParameters.NameClaimType = TokenClaims.Subject;
            jwt.TokenValidationParameters.RoleClaimType = TokenClaims.Role;
            jwt.Events = new JwtBearerEvents
            {
                OnTokenValidated = RejectRevokedSessionAsync,
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    await ApiResults.WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized,
                        context.AuthenticateFailure is null && string.IsNullOrEmpty(context.Error)
                            ? "Authentication is required."
                            : "The access token is missing, invalid, expired or revoked.");
                },
                OnForbidden = context => ApiResults.WriteProblemAsync(context.HttpContext, StatusCodes.Status403Forbidden,
                    "Your role does not allow this operation."),
            };
        });
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<ValidatedTokenCache>((jwt, cache) =>
        {
            jwt.TokenHandlers.Clear();
            jwt.TokenHandlers.Add(cache);
        });
        var authorization = services.AddAuthorizationBuilder();
        foreach (var (policy, roles) in Policies.RolesAllowed)
        {
            authorization.AddPolicy(policy, p => p.RequireAuthenticatedUser().RequireClaim(TokenClaims.Role, roles));
        }
        return services;
    }

    /// <summary>Tokens are minted on the service's clock (TokenService), so a bearer scheme judges their lifetime on it too, with the same skew.</summary>
    public static void JudgeLifetimeOnServiceClock(IServiceCollection services, string scheme) =>
        services.AddOptions<JwtBearerOptions>(scheme).PostConfigure<TimeProvider>((jwt, time) =>
            jwt.TokenValidationParameters.LifetimeValidator = TokenService.LifetimeOn(time));

    /// <summary>
    /// A token is only as alive as its session and its user: logout, refresh-token reuse or
    /// deactivation end it at once, on every node, because the check reads the shared database.
    /// </summary>
    private static async Task RejectRevokedSessionAsync(TokenValidatedContext context)
    {
        var user = CurrentUser.TryFrom(context.Principal!);
        if (user is null)
        {
            context.Fail("Token lacks required claims.");
            return;
        }
        var gate = context.HttpContext.RequestServices.GetRequiredService<SessionGate>();
        if (!await gate.IsAliveAsync(user, context.HttpContext.RequestAborted))
        {
            context.Fail("Session revoked.");
        }
    }
}
