using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.Features.Identity;

public static class IdentityEndpoints
{
    public static IEndpointRouteBuilder MapIdentity(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/users", Register.Handle).WithTags("Identity").AllowAnonymous().RequireRateLimiting(RateLimits.SignIn)
            .Produces<UserDto>(StatusCodes.Status201Created).ProducesError(409, 422, 400);

        var auth = app.MapGroup("/api/v1/auth").WithTags("Identity");
        // 200 is either the login body or, with MFA on, {mfa_required, mfa_token, expires_at}.
        auth.MapPost("/login", Login.Handle).AllowAnonymous().RequireRateLimiting(RateLimits.SignIn)
            .Produces<LoginResponse>().Produces<Login.MfaChallenge>().ProducesError(401, 422, 400, 429);
        auth.MapPost("/refresh", Refresh.Handle).AllowAnonymous().RequireRateLimiting(RateLimits.SignIn)
            .Produces<LoginResponse>().ProducesError(401, 400);
        auth.MapPost("/mfa/login", Mfa.Login).AllowAnonymous().RequireRateLimiting(RateLimits.SignIn)
            .Produces<LoginResponse>().ProducesError(401, 400);
        auth.MapPost("/mfa/sms/send", SmsMfa.SendSignIn).AllowAnonymous().RequireRateLimiting(RateLimits.SignIn)
            .Produces<SmsMfa.CodeSent>(StatusCodes.Status202Accepted).ProducesError(401, 409, 400, 429);

        var signedIn = auth.MapGroup("").RequireAuthorization(Policies.SignedIn).ProducesError(401);
        signedIn.MapPost("/logout", Logout.Handle).Produces<Logout.Response>();
        signedIn.MapGet("/me", Me.Handle).Produces<UserDto>();
        signedIn.MapPost("/password", ChangePassword.Handle).Produces<StatusMessage>().ProducesError(400, 422, 423);
        signedIn.MapPost("/mfa/enable", Mfa.Enable).Produces<Mfa.Enrolment>().ProducesError(409);
        signedIn.MapPost("/mfa/verify", Mfa.Verify).Produces<Mfa.Enabled>().ProducesError(400, 409, 422);
        signedIn.MapPost("/mfa/disable", Mfa.Disable).Produces<Mfa.Disabled>().ProducesError(400, 409, 422, 423);
        signedIn.MapPost("/mfa/sms/enable", SmsMfa.Enable).Produces<SmsMfa.CodeSent>(StatusCodes.Status202Accepted).ProducesError(400, 409, 422, 429);
        signedIn.MapPost("/mfa/sms/verify", SmsMfa.Verify).Produces<Mfa.Enabled>().ProducesError(400, 409, 422);
        signedIn.MapPost("/mfa/sms/confirmation", SmsMfa.SendConfirmation).Produces<SmsMfa.CodeSent>(StatusCodes.Status202Accepted).ProducesError(409, 429);
        return app;
    }
}
