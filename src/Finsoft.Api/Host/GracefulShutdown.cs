using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Host;

/// <summary>
/// What SIGTERM (a rolling deploy, an orchestrator) sets off, before anything stops: readiness turns unhealthy at once,
/// and the node goes on serving for `Finsoft:ShutdownDrainSeconds` so the load balancer's health checks notice and send
/// new requests elsewhere. Then the host stops in reverse order of start: Kestrel stops listening and lets the requests
/// it accepted finish, the engine runs every job already queued, background workers end their pass; all of it within
/// `Finsoft:ShutdownTimeoutSeconds`.
/// </summary>
public sealed class GracefulShutdown(IOptions<FinsoftOptions> options, IHostEnvironment environment, ILogger<GracefulShutdown> logger)
    : IHostedLifecycleService
{
    private volatile bool _stopping;

    public bool Stopping => _stopping;

    /// <summary>Unset: a few seconds in Production, where a load balancer may be in front; none elsewhere.</summary>
    public TimeSpan DrainDelay => TimeSpan.FromSeconds(options.Value.ShutdownDrainSeconds ?? (environment.IsProduction() ? 5 : 0));

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        if (DrainDelay <= TimeSpan.Zero)
        {
            return;
        }
        logger.LogInformation("Shutting down: not ready from now on, still serving for {DrainSeconds} s", DrainDelay.TotalSeconds);
        try
        {
            await Task.Delay(DrainDelay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // the shutdown timeout is shorter than the drain delay: stop now
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The readiness check: a node shutting down is not ready, whatever else is true of it.</summary>
    public sealed class NotStopping(GracefulShutdown shutdown) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(shutdown.Stopping ? HealthCheckResult.Unhealthy("Shutting down") : HealthCheckResult.Healthy());
    }
}
