using System.Text.RegularExpressions;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Finsoft.Api.Features.ExternalSignIn;

/// <summary>
/// One ASP.NET Core OpenID Connect handler per configured provider: the authorization code flow with PKCE, the response in the
/// query, state protected by Data Protection and bound to the browser by a correlation cookie, the ID token's signature (the
/// provider's published keys), issuer, audience, lifetime and nonce checked. What it proves is kept for ten minutes in a
/// cookie of its own, which <see cref="OidcSignIn"/> turns into a Finsoft session once.
/// </summary>
public static partial class OidcSetup
{
    public const string ExternalCookie = "finsoft-external";
    /// <summary>The provider whose handler verified the sign-in, kept with it in the cookie's protected properties.</summary>
    public const string ProviderItem = "finsoft_oidc_provider";
    public const string PathPrefix = "/api/v1/auth/oidc";

    public static string SchemeOf(string provider) => "oidc-" + provider;

    public static IServiceCollection AddExternalSignIn(this IServiceCollection services, OidcOptions options, IHostEnvironment environment)
    {
        Validate(options, environment);
        if (options.Providers.Count == 0)
        {
            return services;
        }
        var authentication = services.AddAuthentication();
        authentication.AddCookie(ExternalCookie, cookie =>
        {
            cookie.Cookie.Name = "finsoft.external";
            cookie.Cookie.Path = PathPrefix;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = TimeSpan.FromMinutes(10);
            cookie.SlidingExpiration = false;
        });
        foreach (var (name, provider) in options.Providers)
        {
            authentication.AddOpenIdConnect(SchemeOf(name), provider.DisplayName ?? name, oidc =>
            {
                oidc.Authority = provider.Authority;
                oidc.ClientId = provider.ClientId;
                oidc.ClientSecret = provider.ClientSecret;
                oidc.RequireHttpsMetadata = provider.RequireHttpsMetadata;
                oidc.ResponseType = OpenIdConnectResponseType.Code;
                oidc.ResponseMode = OpenIdConnectResponseMode.Query; // a top-level GET back: the Lax cookies below travel with it
                oidc.UsePkce = true;
                oidc.CallbackPath = $"{PathPrefix}/{name}/callback";
                oidc.SignInScheme = ExternalCookie;
                oidc.Scope.Clear();
                foreach (var scope in new[] { "openid", "email", "profile" })
                {
                    oidc.Scope.Add(scope);
                }
                oidc.MapInboundClaims = false;
                oidc.GetClaimsFromUserInfoEndpoint = false;
                oidc.SaveTokens = false; // Finsoft issues its own; the provider's are not kept
                oidc.DisableTelemetry = true;
                foreach (var cookie in new[] { oidc.CorrelationCookie, oidc.NonceCookie })
                {
                    cookie.SameSite = SameSiteMode.Lax;
                    cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                }
                oidc.Events = new OpenIdConnectEvents
                {
                    OnTokenValidated = context =>
                    {
                        // Set by the handler bound to this provider's callback, never read from the token: an ID token's own
                        // claims cannot name another provider.
                        context.Properties!.Items[ProviderItem] = name;
                        return Task.CompletedTask;
                    },
                    OnAccessDenied = async context =>
                    {
                        context.HandleResponse();
                        await ApiResults.WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, $"The sign-in with {name} was declined.");
                    },
                    OnRemoteFailure = async context =>
                    {
                        // A forged or replayed answer, a tampered state, a token that fails its checks: the details go to the log only.
                        context.HandleResponse();
                        context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OidcSetup))
                            .LogWarning("Sign-in with {Provider} refused: {Reason}", name, context.Failure?.Message);
                        await ApiResults.WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized,
                            $"The sign-in with {name} could not be verified; start again at {PathPrefix}/{name}/login.");
                    },
                };
            });
        }
        return services;
    }

    private static void Validate(OidcOptions options, IHostEnvironment environment)
    {
        foreach (var (name, provider) in options.Providers)
        {
            var key = $"Finsoft:Oidc:Providers:{name}";
            if (!ProviderName().IsMatch(name))
            {
                throw new StartupException($"{key}: a provider's name is 1 to 32 lowercase letters, digits or '-'.");
            }
            if (!Uri.TryCreate(provider.Authority, UriKind.Absolute, out var authority))
            {
                throw new StartupException($"{key}:Authority must be the provider's absolute issuer URL.");
            }
            if (string.IsNullOrWhiteSpace(provider.ClientId))
            {
                throw new StartupException($"{key}:ClientId is required.");
            }
            if (authority.Scheme != Uri.UriSchemeHttps && (provider.RequireHttpsMetadata || !authority.IsLoopback || environment.IsProduction()))
            {
                throw new StartupException($"{key}:Authority must be https (plain http only for a loopback provider with RequireHttpsMetadata off, outside Production).");
            }
        }
    }

    [GeneratedRegex("^[a-z0-9-]{1,32}$")]
    private static partial Regex ProviderName();
}
