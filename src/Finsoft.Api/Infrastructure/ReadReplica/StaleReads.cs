using Finsoft.Api.Infrastructure.Persistence;

namespace Finsoft.Api.Infrastructure.ReadReplica;

/// <summary>
/// Where this request's stale-tolerant reads go: to the replica while it is within the allowed lag, else to the primary.
/// The choice is made once per request, so a response never mixes the two, and is told in <c>X-Data-Freshness</c>.
/// </summary>
public sealed class StaleReads(ReplicaDatabase replica, IServiceProvider services) : IAsyncDisposable
{
    public const string Header = "X-Data-Freshness";

    private FinsoftDb? _chosen;
    private FinsoftDb? _onReplica;

    public FinsoftDb Choose(HttpContext http)
    {
        if (_chosen is not null)
        {
            return _chosen;
        }
        if (replica.TryFresh(out var lag))
        {
            http.Response.Headers[Header] = $"replica; lag_ms={lag}";
            return _chosen = _onReplica = replica.CreateContext();
        }
        if (replica.Configured)
        {
            http.Response.Headers[Header] = "primary";
        }
        return _chosen = services.GetRequiredService<FinsoftDb>();
    }

    public ValueTask DisposeAsync() => _onReplica?.DisposeAsync() ?? ValueTask.CompletedTask;
}

public static class StaleReadsEndpoints
{
    /// <summary>
    /// The endpoint's reads may be slightly stale (dashboards, reports, statements, analytics, lists): its database argument
    /// becomes the replica's when one is configured and fresh enough. Money paths and read-your-write reads never say this.
    /// </summary>
    public static TBuilder ReadsFromReplica<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            if (!context.HttpContext.RequestServices.GetRequiredService<ReplicaDatabase>().Configured)
            {
                return await next(context); // no replica: the argument is the primary's already
            }
            for (var i = 0; i < context.Arguments.Count; i++)
            {
                if (context.Arguments[i] is FinsoftDb)
                {
                    context.Arguments[i] = context.HttpContext.RequestServices.GetRequiredService<StaleReads>().Choose(context.HttpContext);
                }
            }
            return await next(context);
        });
}
