using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.Features.Reconciliation;

/// <summary>Bank reconciliation for analysts and admins.</summary>
public static class ReconciliationEndpoints
{
    public static IServiceCollection AddReconciliation(this IServiceCollection services)
    {
        services.AddSingleton<ReconciliationRunner>();
        services.AddHostedService(provider => provider.GetRequiredService<ReconciliationRunner>());
        return services;
    }

    public static IEndpointRouteBuilder MapReconciliation(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/reconciliations").WithTags("Accounting").RequireAuthorization(Policies.Insights).ProducesError(400, 401, 403);
        group.MapPost("/", Reconciliations.Create).WithMetadata(new LargeBody(Reconciliations.MaxStatementBytes))
            .Produces<Reconciliations.Accepted>(202).Produces<Reconciliations.ReconciliationDto>().ProducesError(422);
        group.MapGet("/{id:guid}", Reconciliations.Get).Produces<Reconciliations.ReconciliationDto>().ProducesError(404);
        group.MapPost("/{id:guid}/items/{item_id:guid}/resolve", Reconciliations.Resolve).Produces<Reconciliations.ItemDto>().ProducesError(404, 409, 422);
        app.MapGet("/api/v1/bank/statements", BankStatements.Get).WithTags("Accounting").RequireAuthorization(Policies.Insights)
            .Produces<string>(200, "application/xml").ProducesError(401, 403, 422);
        return app;
    }
}
