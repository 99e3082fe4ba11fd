using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Finsoft.Api.Infrastructure.Auth;

/// <summary>Issues access tokens (short-lived JWTs bound to a session) and opaque refresh tokens.</summary>
public sealed class TokenService(SigningKey signingKey, IOptions<FinsoftOptions> options, TimeProvider time)
{
    private readonly JwtOptions _jwt = options.Value.Jwt;

    public sealed record AccessToken(string Token, DateTime ExpiresAt);

    public AccessToken CreateAccessToken(UserRow user, Guid sessionId)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var expires = now.AddMinutes(_jwt.AccessTokenMinutes);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = _jwt.Issuer,
            Audience = _jwt.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = expires,
            SigningCredentials = new SigningCredentials(signingKey.Key, SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity(
            [
                new Claim(TokenClaims.Subject, user.Id.ToString()),
                new Claim(TokenClaims.Session, sessionId.ToString()),
                new Claim(TokenClaims.Role, user.Role),
                new Claim(TokenClaims.TokenId, Guid.NewGuid().ToString()),
            ]),
        };
        return new AccessToken(new JsonWebTokenHandler().CreateToken(descriptor), expires);
    }

    /// <summary>
    /// The token between a correct password and the second factor: short-lived, for another audience,
    /// so it is never accepted as an access token, and good for nothing but <c>/auth/mfa/login</c>.
    /// </summary>
    public string CreateMfaToken(Guid userId) => CreatePurposeToken(MfaAudience, TimeSpan.FromMinutes(MfaTokenMinutes), new Claim(TokenClaims.Subject, userId.ToString()));

    public async Task<Guid?> ReadMfaTokenAsync(string? token) =>
        await ReadPurposeTokenAsync(MfaAudience, token) is { } claims && claims.TryGetValue(TokenClaims.Subject, out var sub) && Guid.TryParse(sub as string, out var id)
            ? id : null;

    /// <summary>A short-lived token for one step of a flow (its own audience, so it is never an access token), carrying <paramref name="claims"/>.</summary>
    public string CreatePurposeToken(string audience, TimeSpan lifetime, params Claim[] claims)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _jwt.Issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.Add(lifetime),
            SigningCredentials = new SigningCredentials(signingKey.Key, SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity([.. claims, new Claim(TokenClaims.TokenId, Guid.NewGuid().ToString())]),
        });
    }

    /// <summary>The claims of a valid, unexpired token for <paramref name="audience"/>; null for anything else.</summary>
    public async Task<IReadOnlyDictionary<string, object>?> ReadPurposeTokenAsync(string audience, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 4096)
        {
            return null;
        }
        var parameters = ValidationFor(_jwt.Issuer, signingKey, audience);
        parameters.LifetimeValidator = LifetimeOn(time);
        var result = await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(token, parameters);
        return result.IsValid ? new Dictionary<string, object>(result.Claims) : null;
    }

    /// <summary>
    /// The rules every token Finsoft signs is read by, whatever its audience (access, MFA, link, TPP): this issuer, this key,
    /// HS256 only, an expiry required, 30 s of skew. Its lifetime is judged on the service's clock (<see cref="LifetimeOn"/>).
    /// </summary>
    public static TokenValidationParameters ValidationFor(string issuer, SigningKey key, string audience) => new()
    {
        ValidIssuer = issuer,
        ValidAudience = audience,
        IssuerSigningKey = key.Key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = TimeSpan.FromSeconds(30),
    };

    /// <summary>A token's lifetime judged by the clock that minted it (the service's TimeProvider), with the validation's skew.</summary>
    public static LifetimeValidator LifetimeOn(TimeProvider time) => (notBefore, expires, _, parameters) =>
    {
        var now = time.GetUtcNow().UtcDateTime;
        return (notBefore is null || notBefore.Value <= now + parameters.ClockSkew) && expires is { } end && now - parameters.ClockSkew < end;
    };

    public const string MfaAudience = "finsoft-mfa";
    public const int MfaTokenMinutes = 5;

    /// <summary>A refresh token is "&lt;session id&gt;.&lt;secret&gt;"; only a hash of the secret is stored.</summary>
    public static (string Token, string Hash) CreateRefreshToken(Guid sessionId)
    {
        var secret = NewSecret();
        return ($"{sessionId:N}.{secret}", HashSecret(secret));
    }

    /// <summary>32 random bytes, base64url: a secret to hand out once and keep only as <see cref="HashSecret"/>.</summary>
    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryReadRefreshToken(string? token, out Guid sessionId, out string secretHash)
    {
        sessionId = default;
        secretHash = "";
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (token is null || dot < 0 || !Guid.TryParseExact(token[..dot], "N", out sessionId) || token.Length - dot < 20 || token.Length > 200)
        {
            return false;
        }
        secretHash = HashSecret(token[(dot + 1)..]);
        return true;
    }

    /// <summary>A plain SHA-256 is enough for a secret of 32 random bytes: there is nothing to guess.</summary>
    public static string HashSecret(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}

/// <summary>The HMAC key for tokens: configured, or (in Development only) generated once and kept in the data directory.</summary>
public sealed class SigningKey(SymmetricSecurityKey key)
{
    public SymmetricSecurityKey Key { get; } = key;

    public static SigningKey Resolve(FinsoftOptions options, IHostEnvironment environment)
    {
        var configured = options.Jwt.SigningKey;
        if (!string.IsNullOrEmpty(configured))
        {
            var bytes = Encoding.UTF8.GetBytes(configured);
            if (bytes.Length < 32)
            {
                throw new StartupException("Finsoft:Jwt:SigningKey must be at least 32 bytes.");
            }
            return new SigningKey(new SymmetricSecurityKey(bytes));
        }
        if (!environment.IsDevelopment())
        {
            throw new StartupException("Finsoft:Jwt:SigningKey is required outside Development (set Finsoft__Jwt__SigningKey to at least 32 random bytes).");
        }
        return new SigningKey(new SymmetricSecurityKey(Convert.FromBase64String(Security.DevelopmentSecrets.ReadOrCreate(options.DataDirectory, "dev-jwt-signing.key"))));
    }
}
