using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.Features.Accounting;

/// <summary>Fiscal periods and their closing, for admins.</summary>
public static class AccountingEndpoints
{
    public static IEndpointRouteBuilder MapAccounting(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/accounting/periods").WithTags("Accounting").RequireAuthorization(Policies.Admin).ProducesError(401, 403);
        group.MapPost("/", FiscalPeriods.Create).Produces<FiscalPeriods.PeriodDto>(201).ProducesError(400, 409, 422);
        group.MapGet("/", FiscalPeriods.List).Produces<List<FiscalPeriods.PeriodDto>>();
        group.MapPost("/{id:guid}/close", FiscalPeriods.Close).Produces<FiscalPeriods.PeriodDto>().ProducesError(404, 409);
        group.MapPost("/{id:guid}/reopen", FiscalPeriods.Reopen).Produces<FiscalPeriods.PeriodDto>().ProducesError(400, 404, 409, 422);
        return app;
    }
}
