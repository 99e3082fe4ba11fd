using System.Security.Claims;
using System.Text.Json;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Monitoring;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger.Monitoring;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Risk;

/// <summary>Customer risk ratings (analysts) and the transaction monitoring rules (admins).</summary>
public static class RiskEndpoints
{
    public static IServiceCollection AddRisk(this IServiceCollection services)
    {
        services.AddSingleton<MonitoringRulesCache>();
        services.AddScoped<CustomerRisk>();
        services.AddSingleton<IEventConsumer, CustomerRiskRefresh>();
        services.AddHostedService<ActivityCounterExpiry>();
        return services;
    }

    public static IEndpointRouteBuilder MapRisk(this IEndpointRouteBuilder app)
    {
        var risk = app.MapGroup("/api/v1/risk").WithTags("Compliance").ProducesError(400, 401, 403);
        risk.MapGet("/customers/{user_id:guid}", GetCustomer).RequireAuthorization(Policies.Insights).Produces<CustomerRisk.Rating>().ProducesError(404);
        risk.MapGet("/rules", GetRules).RequireAuthorization(Policies.Admin).Produces<RulesDto>();
        risk.MapPut("/rules", PutRules).RequireAuthorization(Policies.Admin).Produces<RulesDto>().ProducesError(422);
        return app;
    }

    public sealed record RulesDto(int Version, DateTime? UpdatedAt, Guid? UpdatedBy, MonitoringRules Rules);

    /// <summary>The wire's rules, except that currency codes, as keys, keep their case.</summary>
    private static readonly JsonSerializerOptions RulesJson = new(Json.Options) { DictionaryKeyPolicy = null };

    /// <summary>Rates the customer as things stand now (and keeps the result), so what an analyst reads is never stale.</summary>
    public static async Task<JsonBody> GetCustomer([FromRoute(Name = "user_id")] Guid userId, CustomerRisk risk, CancellationToken ct) =>
        await risk.RecomputeAsync(userId, ct) is { } rating ? ApiResults.Ok(rating) : ApiResults.NotFound("User not found");

    public static async Task<JsonBody> GetRules(FinsoftDb db, CancellationToken ct)
    {
        var row = await db.MonitoringRules.AsNoTracking().FirstOrDefaultAsync(ct);
        return Rules(row is null ? new RulesDto(0, null, null, new MonitoringRules())
            : new RulesDto(row.Version, row.UpdatedAt, row.UpdatedBy, MonitoringRulesCache.Parse(row.Document)));
    }

    /// <summary>Replaces the rules whole (a field left out takes its default); every node applies them within seconds. Audited.</summary>
    public static async Task<JsonBody> PutRules(MonitoringRules rules, ClaimsPrincipal principal, FinsoftDb db, UnitOfWork work, MonitoringRulesCache cache,
        AuditTrail audit, TimeProvider time, CancellationToken ct)
    {
        var problems = rules.Problems();
        if (problems.Count > 0)
        {
            return ApiResults.Invalid(problems);
        }
        var admin = CurrentUser.From(principal).Id;
        var document = JsonSerializer.Serialize(rules, RulesJson);
        var saved = await work.RunAsync<RulesDto>(async ct =>
        {
            if (db.Database.IsNpgsql())
            {
                // Two admins at once: the second waits and takes the next version (SQLite's writer is alone anyway).
                await db.Database.ExecuteSqlRawAsync("SELECT 1 FROM monitoring_rules WHERE id = 1 FOR UPDATE", ct);
            }
            var row = await db.MonitoringRules.FirstOrDefaultAsync(ct);
            if (row is null)
            {
                row = new MonitoringRulesRow { Document = document };
                db.MonitoringRules.Add(row);
            }
            (row.Version, row.Document, row.UpdatedAt, row.UpdatedBy) = (row.Version + 1, document, time.UtcNow(), admin);
            audit.Add(db, AuditEvents.MonitoringRulesChanged, admin, null, new { version = row.Version, rules = JsonDocument.Parse(document).RootElement });
            await db.SaveChangesAsync(ct);
            return new RulesDto(row.Version, row.UpdatedAt, admin, rules);
        }, ct, alsoRetry: DatabaseSetup.IsUniqueViolation);
        cache.Invalidate();
        return Rules(saved.Value);
    }

    private static JsonBody Rules(RulesDto dto) => new(StatusCodes.Status200OK, JsonSerializer.Serialize(dto, RulesJson));
}
