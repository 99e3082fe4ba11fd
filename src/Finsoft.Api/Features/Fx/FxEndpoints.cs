using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.Features.Fx;

public static class FxEndpoints
{
    public static IEndpointRouteBuilder MapFx(this IEndpointRouteBuilder app)
    {
        var fx = app.MapGroup("/api/v1/fx").WithTags("Currencies").RequireAuthorization(Policies.SignedIn).ProducesError(400, 401, 422);
        fx.MapGet("/rates", FxRates.Current).Produces<FxRates.RateInForce>().ProducesError(404);
        // Staff's: the list holds rates that take effect later, which customers must not see before they apply.
        fx.MapGet("/rates/recorded", FxRates.List).RequireAuthorization(Policies.Insights).Produces<List<FxRates.RateDto>>().ProducesError(403);
        fx.MapPost("/rates", FxRates.Create).RequireAuthorization(Policies.Admin).Produces<FxRates.RateDto>(201).ProducesError(403);
        fx.MapPost("/quotes", FxQuotes.Create).RequireAuthorization(Policies.MoveMoney).Produces<FxQuotes.QuoteDto>(201).ProducesError(403, 404);
        return app;
    }
}
