using System.Security.Claims;
using System.Text;
using Finsoft.Api.Infrastructure.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Finsoft.Api.Tests;

/// <summary>The cache of validated access tokens never accepts what validation would refuse.</summary>
public sealed class ValidatedTokenCacheTests
{
    private static readonly SymmetricSecurityKey Key = new(Encoding.UTF8.GetBytes("a-test-signing-key-that-is-long-enough-0123456789"));

    private static readonly TokenValidationParameters Parameters = new()
    {
        ValidIssuer = "finsoft", ValidAudience = "finsoft-api", IssuerSigningKey = Key, ClockSkew = TimeSpan.Zero,
    };

    private static string Mint(DateTime expires) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "finsoft", Audience = "finsoft-api", Subject = new ClaimsIdentity([new Claim("sub", "someone")]),
        NotBefore = DateTime.UtcNow.AddMinutes(-1), Expires = expires, SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
    });

    [Fact]
    public async Task A_remembered_token_stops_being_accepted_when_it_expires_and_a_tampered_copy_is_never_remembered()
    {
        var cache = new ValidatedTokenCache(TimeProvider.System);
        var token = Mint(DateTime.UtcNow.AddSeconds(2));
        var first = await cache.ValidateTokenAsync(token, Parameters);
        var again = await cache.ValidateTokenAsync(token, Parameters);
        Assert.True(first.IsValid && again.IsValid);
        Assert.NotSame(first.ClaimsIdentity, again.ClaimsIdentity);
        Assert.Equal("someone", again.ClaimsIdentity.FindFirst("sub")!.Value);

        var tampered = token[..^2] + (token[^2] == 'A' ? "BB" : "AA");
        Assert.False((await cache.ValidateTokenAsync(tampered, Parameters)).IsValid);

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.False((await cache.ValidateTokenAsync(token, Parameters)).IsValid);
    }
}
