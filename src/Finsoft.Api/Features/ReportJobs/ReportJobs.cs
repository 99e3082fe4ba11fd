using System.Security.Claims;
using System.Text.Json;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.ReportJobs;

/// <summary>Report jobs: asked for, rendered by <see cref="ReportRunner"/> on some node, downloaded while they last; and exports made at once.</summary>
public static class ReportJobs
{
    public sealed record CreateRequest(string? Type, string? Format, JsonElement? Parameters);

    public sealed record JobDto(Guid Id, string Type, string Format, JsonElement Parameters, string Status, int Progress, string? DownloadUrl, long? SizeBytes,
        string? FailureReason, Guid? ScheduleId, DateTime? Occurrence, Guid CreatedBy, DateTime CreatedAt, DateTime? CompletedAt, DateTime? ExpiresAt)
    {
        public static JobDto From(ReportJobRow j) => new(j.Id, j.Report, j.Format, JsonDocument.Parse(j.Parameters).RootElement.Clone(), j.Status, j.Progress,
            j.Status == ReportJobStatus.Completed && j.Content is not null ? DownloadPath(j.Id) : null, j.SizeBytes, j.FailureReason, j.ScheduleId, j.Occurrence,
            j.CreatedBy, j.CreatedAt, j.CompletedAt, j.ExpiresAt);
    }

    public static string DownloadPath(Guid id) => $"/api/v1/analytics/reports/{id}/download";

    public static async Task<JsonBody> Create(CreateRequest request, ClaimsPrincipal principal, FinsoftDb db, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var parameters = ReportCatalog.Check(request.Type, request.Format, ReportParameters.Read(request.Parameters, validation), validation);
        if (parameters is null)
        {
            return validation.Result;
        }
        var row = New(request.Type!, request.Format!, Json.Serialize(parameters), CurrentUser.From(principal).Id, time.UtcNow());
        db.ReportJobs.Add(row);
        await db.SaveChangesAsync(ct);
        return ApiResults.Accepted(JobDto.From(row));
    }

    public static ReportJobRow New(string report, string format, string parameters, Guid createdBy, DateTime now) => new()
    {
        Id = Guid.CreateVersion7(), Report = report, Format = format, Parameters = parameters, Status = ReportJobStatus.Queued, CreatedBy = createdBy, CreatedAt = now,
    };

    public static async Task<JsonBody> Get(Guid id, FinsoftDb db, CancellationToken ct) =>
        await db.ReportJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, ct) is { } job ? ApiResults.Ok(JobDto.From(job)) : ApiResults.NotFound("Report not found");

    public static async Task<JsonBody> List([FromQuery(Name = "schedule_id")] Guid? scheduleId, string? status, int? limit, string? cursor, HttpRequest http,
        FinsoftDb db, CancellationToken ct)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var problem))
        {
            return problem!;
        }
        var jobs = db.ReportJobs.Where(j => (scheduleId == null || j.ScheduleId == scheduleId) && (status == null || j.Status == status));
        return await PageResponse.ReadAsync(jobs, page, newestFirst: true, http, JobDto.From, ct);
    }

    /// <summary>The file of a completed job: 409 while it is being made or if it failed, 410 once it has expired.</summary>
    public static async Task<IResult> Download(Guid id, FinsoftDb db, CancellationToken ct)
    {
        var job = await db.ReportJobs.AsNoTracking().Where(j => j.Id == id)
            .Select(j => new { j.Status, j.Content, j.ContentType, j.FileName, j.ExpiresAt }).FirstOrDefaultAsync(ct);
        return job switch
        {
            null => ApiResults.NotFound("Report not found"),
            { Status: not ReportJobStatus.Completed } => ApiResults.Problem(StatusCodes.Status409Conflict, $"The report is {job.Status}.", errorCode: "report_not_ready"),
            { Content: null } => ApiResults.Problem(StatusCodes.Status410Gone, "The report's file has expired; ask for the report again.", errorCode: "report_expired"),
            _ => Results.File(job.Content, job.ContentType, job.FileName),
        };
    }

    /// <summary>A standard export, made now and answered as the file: every report but the month's customer statements, which is a job.</summary>
    public static async Task<IResult> Export(string format, string? type, DateTime? from, DateTime? to, [FromQuery(Name = "as_of")] DateTime? asOf,
        string? currency, string? interval, [FromQuery(Name = "account_id")] Guid? accountId, string? period, HttpContext http, TimeProvider time,
        CancellationToken ct)
    {
        var validation = new Validation();
        var parameters = ReportCatalog.Check(type, format, new ReportParameters(from, to, asOf, currency, interval, accountId, null, period), validation);
        if (type == ReportCatalog.CustomerStatements)
        {
            validation.Add("type", "customer statements are made by a report job (POST /api/v1/analytics/reports).");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        try
        {
            var file = await ReportCatalog.RenderAsync(type!, format, parameters!, time.UtcNow(), http.RequestServices, _ => Task.CompletedTask, ct);
            return Results.File(file.Content, file.ContentType, file.FileName);
        }
        catch (ReportRefusedException e)
        {
            return ApiResults.Problem(StatusCodes.Status422UnprocessableEntity, e.Message, errorCode: "report_refused");
        }
    }
}
