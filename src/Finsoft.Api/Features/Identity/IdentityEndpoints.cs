using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.Features.Identity;

public static class IdentityEndpoints
{
    public static IEndpointRouteBuilder MapIdentity(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/users", Register.Handle).WithTags("Identity").AllowAnonymous()
            .Produces<UserDto>(StatusCodes.Status201Created).ProducesError(409, 422, 400);

        var auth = app.MapGroup("/api/v1/auth").WithTags("Identity");
        auth.MapPost("/login", Login.Handle).AllowAnonymous()
            .Produces<LoginResponse>().ProducesError(401, 422, 400);
        auth.MapPost("/refresh", Refresh.Handle).AllowAnonymous()
            .Produces<LoginResponse>().ProducesError(401, 400);
        auth.MapPost("/logout", Logout.Handle).RequireAuthorization()
            .Produces<Logout.Response>().ProducesError(401);
        auth.MapGet("/me", Me.Handle).RequireAuthorization()
            .Produces<UserDto>().ProducesError(401);
        return app;
    }
}
