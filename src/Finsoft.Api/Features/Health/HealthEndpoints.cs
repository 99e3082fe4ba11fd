using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Finsoft.Api.Features.Health;

public static class HealthEndpoints
{
    private const string Ready = "ready";

    public static IServiceCollection AddFinsoftHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<GracefulShutdown.NotStopping>("not_stopping", tags: [Ready])
            .AddCheck<DatabaseReachable>("database", tags: [Ready]);
        return services;
    }

    /// <summary>/health says the process is alive; /health/ready also says it is not shutting down and the database answers.</summary>
    public static IEndpointRouteBuilder MapFinsoftHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready) }).AllowAnonymous();
        return app;
    }

    private sealed class DatabaseReachable(FinsoftDb db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                return await db.Database.CanConnectAsync(cancellationToken)
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy("Database unreachable");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("Database unreachable");
            }
        }
    }
}
