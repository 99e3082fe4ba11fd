using System.Security.Claims;
using System.Text.Json;
using Cronos;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.ReportJobs;

/// <summary>
/// Reports on a cron schedule (five fields, or six with seconds first), in a time zone (UTC unless named): each occurrence
/// becomes one report job, whichever node claims it (see <see cref="ReportScheduler"/>). Monthly customer statements are
/// <c>{report: "customer_statements", cron: "0 6 1 * *"}</c>: at 06:00 on the 1st, the month before.
/// </summary>
public static class ReportSchedules
{
    public sealed record CreateRequest(string? Report, string? Cron, string? Format, JsonElement? Parameters, string? TimeZone);

    public sealed record ScheduleDto(Guid Id, string Report, string Format, JsonElement Parameters, string Cron, string TimeZone, DateTime? NextRunAt,
        DateTime? LastRunAt, Guid CreatedBy, DateTime CreatedAt)
    {
        public static ScheduleDto From(ReportScheduleRow s) => new(s.Id, s.Report, s.Format, JsonDocument.Parse(s.Parameters).RootElement.Clone(), s.Cron,
            s.TimeZone, s.NextRunAt, s.LastRunAt, s.CreatedBy, s.CreatedAt);
    }

    public static async Task<JsonBody> Create(CreateRequest request, ClaimsPrincipal principal, FinsoftDb db, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var parameters = ReportCatalog.Check(request.Report, request.Format, ReportParameters.Read(request.Parameters, validation), validation);
        var zone = ZoneOf(request.TimeZone ?? "UTC", validation);
        var cron = Parse(request.Cron, validation);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var now = time.UtcNow();
        var row = new ReportScheduleRow
        {
            Id = Guid.CreateVersion7(), Report = request.Report!, Format = request.Format!, Parameters = Json.Serialize(parameters), Cron = request.Cron!.Trim(),
            TimeZone = zone!.Id, NextRunAt = Next(cron!, zone, now), CreatedBy = CurrentUser.From(principal).Id, CreatedAt = now,
        };
        db.ReportSchedules.Add(row);
        await db.SaveChangesAsync(ct);
        return ApiResults.Created(ScheduleDto.From(row));
    }

    public static async Task<JsonBody> List(int? limit, string? cursor, HttpRequest http, FinsoftDb db, CancellationToken ct)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var problem))
        {
            return problem!;
        }
        return await PageResponse.ReadAsync(db.ReportSchedules.Where(s => s.DeletedAt == null), page, newestFirst: false, http, ScheduleDto.From, ct);
    }

    public static async Task<JsonBody> Get(Guid id, FinsoftDb db, CancellationToken ct) =>
        await db.ReportSchedules.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id && s.DeletedAt == null, ct) is { } schedule
            ? ApiResults.Ok(ScheduleDto.From(schedule))
            : ApiResults.NotFound("Schedule not found");

    /// <summary>Stops the schedule; the jobs it made stay.</summary>
    public static async Task<JsonBody> Delete(Guid id, FinsoftDb db, TimeProvider time, CancellationToken ct)
    {
        var now = time.UtcNow();
        var stopped = await db.ReportSchedules.Where(s => s.Id == id && s.DeletedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.DeletedAt, now).SetProperty(x => x.NextRunAt, (DateTime?)null), ct);
        return stopped == 1 ? ApiResults.Deleted("Schedule stopped") : ApiResults.NotFound("Schedule not found");
    }

    /// <summary>A cron expression of five fields, or six with seconds first; null (with the error) when it does not parse.</summary>
    public static CronExpression? Parse(string? text, Validation validation)
    {
        var fields = text?.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length ?? 0;
        try
        {
            if (fields is 5 or 6)
            {
                return CronExpression.Parse(text!.Trim(), fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            }
        }
        catch (CronFormatException e)
        {
            validation.Add("cron", $"cron does not parse: {e.Message}");
            return null;
        }
        validation.Add("cron", "cron must have five fields (minute hour day month weekday), or six with seconds first.");
        return null;
    }

    /// <summary>The first occurrence after <paramref name="after"/>, as UTC; null when the expression has none left.</summary>
    public static DateTime? Next(CronExpression cron, TimeZoneInfo zone, DateTime after) =>
        cron.GetNextOccurrence(DateTime.SpecifyKind(after, DateTimeKind.Utc), zone);

    public static TimeZoneInfo? ZoneOf(string name, Validation validation, string field = "time_zone")
    {
        if (TimeZoneInfo.TryFindSystemTimeZoneById(name, out var zone))
        {
            return zone;
        }
        validation.Add(field, $"{field} must be an IANA time zone (e.g. America/Mexico_City) or UTC.");
        return null;
    }
}
