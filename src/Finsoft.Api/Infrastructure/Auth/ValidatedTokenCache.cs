using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Finsoft.Api.Infrastructure.Auth;

/// <summary>
/// Remembers access tokens whose signature and claims were already validated, so a client's next
/// requests with the same token skip parsing and the HMAC (a profile put JWT validation at an eighth of
/// the API's CPU per transfer). The key is the token's exact text; a hit is honoured only until the
/// token expires. Nothing else is cached: the session, user, active flag and role are still checked
/// against the database on every request (<see cref="SessionGate"/>), so logout and revocation act at once.
/// One set of validation parameters serves the process (its signing key does not change while it runs),
/// so a remembered result stands for them.
/// </summary>
public sealed class ValidatedTokenCache(TimeProvider time) : JsonWebTokenHandler
{
    /// <summary>Tokens live 15 minutes; past this many distinct ones the cache starts afresh rather than grow.</summary>
    private const int MaxEntries = 50_000;

    private readonly ConcurrentDictionary<string, TokenValidationResult> _valid = new(StringComparer.Ordinal);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (_valid.TryGetValue(token, out var known))
        {
            if (known.SecurityToken.ValidTo > time.GetUtcNow().UtcDateTime)
            {
                // A fresh identity per request: handlers downstream may add to it.
                return new TokenValidationResult
                {
                    IsValid = true, SecurityToken = known.SecurityToken, ClaimsIdentity = known.ClaimsIdentity.Clone(),
                    Issuer = known.Issuer, TokenType = known.TokenType,
                };
            }
            _valid.TryRemove(token, out _);
        }
        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.ClaimsIdentity is ClaimsIdentity)
        {
            if (_valid.Count >= MaxEntries)
            {
                _valid.Clear();
            }
            _valid[token] = result;
        }
        return result;
    }
}
