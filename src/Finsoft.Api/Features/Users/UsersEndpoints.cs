using Finsoft.Api.Features.Accounts;
using Finsoft.Api.Features.Identity;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.Features.Users;

public static class UsersEndpoints
{
    public static IEndpointRouteBuilder MapUserAdministration(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/v1/users/me").WithTags("Users").RequireAuthorization(Policies.SignedIn).ProducesError(400, 401);
        me.MapGet("/profile", Profiles.GetMine).Produces<Profiles.ProfileDto>();
        me.MapPut("/profile", Profiles.PutMine).Produces<Profiles.ProfileDto>().ProducesError(409, 422);

        var admin = app.MapGroup("/api/v1/admin/users").WithTags("User administration").RequireAuthorization(Policies.Admin)
            .ProducesError(400, 401, 403);
        admin.MapGet("/", AdminUsers.List).Produces<List<UserDto>>().ProducesError(422);
        admin.MapPost("/", AdminUsers.Create).Produces<UserDto>(201).ProducesError(409, 422);
        admin.MapGet("/{id:guid}", AdminUsers.Get).Produces<UserDto>().ProducesError(404);
        admin.MapPatch("/{id:guid}", AdminUsers.Update).Produces<UserDto>().ProducesError(404, 409, 422);
        admin.MapPost("/{id:guid}/unlock", AdminUsers.Unlock).Produces<UserDto>().ProducesError(404, 409);
        admin.MapDelete("/{id:guid}", AdminUsers.Delete).Produces<StatusMessage>().ProducesError(404, 409);
        admin.MapGet("/{id:guid}/profile", Profiles.GetAny).Produces<Profiles.ProfileDto>().ProducesError(404);
        admin.MapPut("/{id:guid}/profile", Profiles.PutAny).Produces<Profiles.ProfileDto>().ProducesError(404, 409, 422);
        admin.MapGet("/{id:guid}/accounts", AccountGrants.List).Produces<List<AccountDto>>().ProducesError(404, 422);
        admin.MapPost("/{id:guid}/accounts", AccountGrants.Grant).Produces<AccountGrants.GrantDto>(201).ProducesError(404, 409, 422);
        admin.MapDelete("/{id:guid}/accounts/{accountId:guid}", AccountGrants.Revoke).Produces<StatusMessage>().ProducesError(404);
        return app;
    }
}
