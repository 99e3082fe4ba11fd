using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.ReadReplica;

namespace Finsoft.Api.Features.Analytics;

/// <summary>Revenue, customer and transaction analytics for analysts and admins.</summary>
public static class AnalyticsEndpoints
{
    public static IEndpointRouteBuilder MapAnalytics(this IEndpointRouteBuilder app)
    {
        var analytics = app.MapGroup("/api/v1/analytics").WithTags("Analytics").RequireAuthorization(Policies.Insights).ProducesError(400, 401, 403, 422)
            .ReadsFromReplica();
        analytics.MapGet("/revenue", RevenueAnalytics.Handle).Produces<RevenueAnalytics.Report>();
        analytics.MapGet("/users", UserAnalytics.Handle).Produces<UserAnalytics.Report>();
        analytics.MapGet("/transactions", TransactionAnalytics.Handle).Produces<TransactionAnalytics.Report>();
        return app;
    }
}
