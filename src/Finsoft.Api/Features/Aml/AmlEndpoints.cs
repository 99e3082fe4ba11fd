using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.Features.Aml;

public static class AmlEndpoints
{
    public static IEndpointRouteBuilder MapAml(this IEndpointRouteBuilder app)
    {
        var aml = app.MapGroup("/api/v1/aml").WithTags("Compliance").ProducesError(400, 401, 403);
        aml.MapPost("/watchlists", Watchlists.Load).RequireAuthorization(Policies.Admin).WithMetadata(new LargeBody(Watchlists.MaxFileBytes))
            .Produces<Watchlists.VersionDto>(201).ProducesError(413, 422);
        aml.MapGet("/watchlists", Watchlists.List).RequireAuthorization(Policies.Insights).Produces<List<Watchlists.VersionDto>>();
        aml.MapPost("/screenings", Screenings.Create).RequireAuthorization(Policies.Insights).Produces<Screenings.Response>(201).ProducesError(404, 422);
        aml.MapGet("/screenings", Screenings.List).RequireAuthorization(Policies.Insights).Produces<List<Screenings.Response>>();
        aml.MapGet("/screenings/{id:guid}", Screenings.Get).RequireAuthorization(Policies.Insights).Produces<Screenings.Response>().ProducesError(404);
        return app;
    }
}
