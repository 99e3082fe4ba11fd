using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Finsoft.Api.Tests.Infrastructure;

/// <summary>
/// A real OpenID Connect provider (OpenIddict's server) on a loopback port: discovery, keys, the authorization endpoint (which
/// signs in <see cref="NextUser"/> at once, as if the person had typed a password there) and the token endpoint, with PKCE
/// required. <see cref="ForgeIdToken"/> lets a test swap the ID token the token endpoint answers with.
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    public const string ClientId = "finsoft";
    public const string ClientSecret = "provider-secret-for-tests";

    public sealed record ExternalUser(string Subject, string Email, bool EmailVerified, string Name);

    private readonly WebApplication _app;

    private OidcProvider(WebApplication app, RsaSecurityKey key)
    {
        _app = app;
        SigningKey = key;
    }

    public string Authority => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/";

    /// <summary>The provider's own signing key (published in its JWKS).</summary>
    public RsaSecurityKey SigningKey { get; }

    /// <summary>Who is signed in at the provider when the next authorization request arrives.</summary>
    public ExternalUser? NextUser { get; set; }

    /// <summary>The code challenge method of the last authorization request.</summary>
    public string? LastCodeChallengeMethod { get; private set; }

    /// <summary>Rewrites the ID token of the next token response (a forgery); null leaves it as issued.</summary>
    public Func<string, string>? ForgeIdToken { get; set; }

    public static async Task<OidcProvider> StartAsync()
    {
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "provider-key" };
        OidcProvider? provider = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication();
        builder.Services.AddOpenIddict().AddServer(server =>
        {
            server.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
            server.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            server.RegisterScopes(Scopes.OpenId, Scopes.Email, Scopes.Profile);
            server.AddSigningKey(key).AddEncryptionKey(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)));
            server.DisableAccessTokenEncryption();
            // No stores: the one client is checked by the handlers below, codes are self-contained.
            server.EnableDegradedMode();
            server.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableTokenEndpointPassthrough().DisableTransportSecurityRequirement();
            server.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId || context.RedirectUri is null || !context.RedirectUri.EndsWith("/callback", StringComparison.Ordinal))
                {
                    context.Reject(Errors.InvalidClient, "Unknown client or redirect URI.");
                }
                return default;
            }));
            server.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId || context.ClientSecret != ClientSecret)
                {
                    context.Reject(Errors.InvalidClient, "Wrong client credentials.");
                }
                return default;
            }));
            server.AddEventHandler<OpenIddictServerEvents.ApplyTokenResponseContext>(handler => handler.UseInlineHandler(context =>
            {
                if (provider!.ForgeIdToken is { } forge && context.Response.IdToken is { } issued)
                {
                    context.Response.IdToken = forge(issued);
                }
                return default;
            }).SetOrder(int.MinValue + 100_000));
        });
        var app = builder.Build();
        provider = new OidcProvider(app, key);
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], (HttpContext http) => provider.SignIn(http));
        app.MapPost("/connect/token", async (HttpContext http) =>
        {
            var code = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            return Results.SignIn(code.Principal!, properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });
        await app.StartAsync();
        return provider;
    }

    private IResult SignIn(HttpContext http)
    {
        var request = http.GetOpenIddictServerRequest()!;
        LastCodeChallengeMethod = request.CodeChallengeMethod;
        var user = NextUser ?? throw new InvalidOperationException("Set NextUser before signing in at the provider.");
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Subject).SetClaim(Claims.Email, user.Email).SetClaim(Claims.Name, user.Name);
        identity.AddClaim(new Claim(Claims.EmailVerified, user.EmailVerified ? "true" : "false", ClaimValueTypes.Boolean));
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>The ID token's claims with some changed, signed again with <paramref name="key"/> (the provider's, or a forger's).</summary>
    public static string Resign(string idToken, SecurityKey key, Action<Dictionary<string, object>> change)
    {
        var original = new JsonWebToken(idToken);
        var claims = original.Claims.GroupBy(c => c.Type).ToDictionary(g => g.Key, g => (object)g.First().Value);
        foreach (var time in new[] { "exp", "iat", "nbf", "auth_time" }.Where(claims.ContainsKey))
        {
            claims[time] = long.Parse((string)claims[time], System.Globalization.CultureInfo.InvariantCulture);
        }
        change(claims);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
