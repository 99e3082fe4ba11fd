using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.Features.ExternalSignIn;

public static class ExternalSignInEndpoints
{
    public static IEndpointRouteBuilder MapExternalSignIn(this IEndpointRouteBuilder app)
    {
        // All anonymous: the provider's answer, a link token or the browser's cookie from the flow is the credential.
        var oidc = app.MapGroup(OidcSetup.PathPrefix).WithTags("Identity").AllowAnonymous().RequireRateLimiting(RateLimits.SignIn).ProducesError(400);
        oidc.MapGet("/providers", OidcSignIn.Providers).Produces<List<OidcSignIn.Provider>>();
        oidc.MapGet("/{provider}/login", OidcSignIn.Start).Produces(302).ProducesError(404)
            .WithDescription("Starts the authorization code flow with PKCE: redirects the browser to the provider, which sends it back to …/callback, then …/complete.");
        oidc.MapGet("/{provider}/complete", OidcSignIn.Complete).Produces<Identity.LoginResponse>().Produces<OidcSignIn.LinkChallenge>(200)
            .ProducesError(401, 404, 409, 422)
            .WithDescription("Ends the flow: Finsoft's tokens (or the MFA challenge) for a linked or new user, or a link token when the provider's email is an existing user's.");
        oidc.MapPost("/link", OidcSignIn.Link).Produces<Identity.LoginResponse>().ProducesError(401, 409, 422)
            .WithDescription("Links the provider's sign-in to the existing user whose email it vouched for, confirmed with the user's password; then signs in.");
        return app;
    }
}
