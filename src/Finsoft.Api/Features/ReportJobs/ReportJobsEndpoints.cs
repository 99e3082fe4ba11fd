using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.Features.ReportJobs;

/// <summary>Report jobs, exports and schedules for analysts and admins.</summary>
public static class ReportJobsEndpoints
{
    public static IServiceCollection AddReportJobs(this IServiceCollection services)
    {
        services.AddSingleton<ReportRunner>();
        services.AddHostedService(provider => provider.GetRequiredService<ReportRunner>());
        services.AddHostedService<ReportScheduler>();
        return services;
    }

    public static IEndpointRouteBuilder MapReportJobs(this IEndpointRouteBuilder app)
    {
        var analytics = app.MapGroup("/api/v1/analytics").WithTags("Analytics").RequireAuthorization(Policies.Insights).ProducesError(400, 401, 403);
        analytics.MapPost("/reports", ReportJobs.Create).Produces<ReportJobs.JobDto>(202).ProducesError(422);
        analytics.MapGet("/reports", ReportJobs.List).Produces<List<ReportJobs.JobDto>>().ProducesError(422);
        analytics.MapGet("/reports/{id:guid}", ReportJobs.Get).Produces<ReportJobs.JobDto>().ProducesError(404);
        analytics.MapGet("/reports/{id:guid}/download", ReportJobs.Download).Produces<byte[]>(200, "application/pdf", "text/csv", "application/zip",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").ProducesError(404, 409, 410);
        analytics.MapGet("/export/{format}", ReportJobs.Export).Produces<byte[]>(200, "application/pdf", "text/csv",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").ProducesError(422);
        analytics.MapPost("/schedules", ReportSchedules.Create).Produces<ReportSchedules.ScheduleDto>(201).ProducesError(422);
        analytics.MapGet("/schedules", ReportSchedules.List).Produces<List<ReportSchedules.ScheduleDto>>().ProducesError(422);
        analytics.MapGet("/schedules/{id:guid}", ReportSchedules.Get).Produces<ReportSchedules.ScheduleDto>().ProducesError(404);
        analytics.MapDelete("/schedules/{id:guid}", ReportSchedules.Delete).Produces<StatusMessage>().ProducesError(404);
        return app;
    }
}
