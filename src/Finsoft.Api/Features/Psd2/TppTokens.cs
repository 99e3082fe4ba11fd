using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Finsoft.Api.Features.Psd2;

/// <summary>
/// The OAuth 2.0 client-credentials grant (RFC 6749 §4.4) for TPPs: client id and secret by HTTP Basic, a form body, and the
/// answers an OAuth client library expects, errors included (`{error, error_description}`, §5.2) rather than problem details.
/// </summary>
public static class TppTokens
{
    public sealed record TokenForm(string GrantType);

    public sealed record Response(string AccessToken, string TokenType, int ExpiresIn);

    public sealed record OAuthError(string Error, string ErrorDescription);

    public static async Task<IResult> Handle(HttpRequest request, FinsoftDb db, TokenService tokens, IOptions<FinsoftOptions> options,
        CancellationToken ct)
    {
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(StatusCodes.Status400BadRequest, "invalid_request", "The body must be application/x-www-form-urlencoded.");
        }
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(ct);
        }
        catch (InvalidDataException)
        {
            return Refuse(StatusCodes.Status400BadRequest, "invalid_request", "The form could not be read (too many fields, or malformed).");
        }
        if (form["grant_type"] is not [var grant])
        {
            return Refuse(StatusCodes.Status400BadRequest, "invalid_request", "grant_type is required, once.");
        }
        if (grant != "client_credentials")
        {
            return Refuse(StatusCodes.Status400BadRequest, "unsupported_grant_type", "Only grant_type=client_credentials is supported.");
        }
        if (ReadBasic(request) is not var (clientId, secret))
        {
            return InvalidClient(request, "Send the client id and secret with HTTP Basic authentication.");
        }
        var tpp = await db.Tpps.AsNoTracking().FirstOrDefaultAsync(t => t.ClientId == clientId && t.RevokedAt == null, ct);
        if (tpp is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(tpp.SecretHash), Encoding.ASCII.GetBytes(TokenService.HashSecret(secret))))
        {
            return InvalidClient(request, "Unknown client, wrong secret, or a revoked TPP.");
        }
        var minutes = options.Value.Jwt.AccessTokenMinutes;
        var token = tokens.CreatePurposeToken(TppAuthentication.Audience, TimeSpan.FromMinutes(minutes),
            new Claim(TokenClaims.Subject, tpp.Id.ToString()), new Claim(TokenClaims.ClientId, tpp.ClientId));
        return TypedResults.Json(new Response(token, "Bearer", minutes * 60), Json.Options);
    }

    /// <summary>RFC 6749 §2.3.1: both parts are form-encoded before they are joined and base64-encoded.</summary>
    private static (string ClientId, string Secret)? ReadBasic(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) || header.Length > 1024)
        {
            return null;
        }
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            return colon <= 0 ? null : (Uri.UnescapeDataString(pair[..colon].Replace('+', ' ')), Uri.UnescapeDataString(pair[(colon + 1)..].Replace('+', ' ')));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static IResult InvalidClient(HttpRequest request, string description)
    {
        request.HttpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"finsoft-psd2\"";
        return Refuse(StatusCodes.Status401Unauthorized, "invalid_client", description);
    }

    private static IResult Refuse(int status, string error, string description) =>
        TypedResults.Json(new OAuthError(error, description), Json.Options, statusCode: status);
}
