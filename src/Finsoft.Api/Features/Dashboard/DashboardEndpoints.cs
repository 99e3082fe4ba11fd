using Finsoft.Api.Features.Records;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.ReadReplica;

namespace Finsoft.Api.Features.Dashboard;

public static class DashboardEndpoints
{
    /// <summary>Shaped by role (seed 002): everyone gets the summary; the breakdowns and recent activity need the records policy (not viewers).</summary>
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        var dashboard = app.MapGroup("/api/v1/dashboard").WithTags("Dashboard").RequireAuthorization(Policies.SignedIn).ProducesError(400, 401, 422)
            .ReadsFromReplica();
        dashboard.MapGet("/summary", Dashboard.GetSummary).Produces<Dashboard.Summary>();
        dashboard.MapGet("/categories", Dashboard.GetCategories).RequireAuthorization(Policies.Records)
            .Produces<List<Dashboard.CategoryTotal>>().ProducesError(403);
        dashboard.MapGet("/trends", Dashboard.GetTrends).RequireAuthorization(Policies.Records)
            .Produces<List<Dashboard.MonthTotals>>().ProducesError(403);
        dashboard.MapGet("/recent", Dashboard.GetRecent).RequireAuthorization(Policies.Records)
            .Produces<Dashboard.RecentActivity>().ProducesError(403);

        var records = app.MapGroup("/api/v1/records").WithTags("Records").RequireAuthorization(Policies.SignedIn).ProducesError(400, 401);
        records.MapGet("/", ListRecords.Handle).ReadsFromReplica().Produces<List<RecordDto>>().ProducesError(422);
        records.MapGet("/{id:guid}", RecordHandlers.Get).Produces<RecordDto>().ProducesError(404);
        var writes = records.MapGroup("").RequireAuthorization(Policies.Records).ProducesError(403);
        writes.MapPost("/", RecordHandlers.Create).Produces<RecordDto>(201).ProducesError(422);
        writes.MapPatch("/{id:guid}", RecordHandlers.Update).Produces<RecordDto>().ProducesError(404, 422);
        writes.MapDelete("/{id:guid}", RecordHandlers.Delete).Produces<StatusMessage>().ProducesError(404);
        writes.MapPost("/{id:guid}/restore", RecordHandlers.Restore).Produces<RecordDto>().ProducesError(404);
        app.MapPost("/api/v1/transactions/{id:guid}/category", CategorizeTransaction.Handle).WithTags("Records")
            .RequireAuthorization(Policies.Records).Produces<RecordDto>().ProducesError(400, 401, 403, 404, 409, 422);
        return app;
    }
}
