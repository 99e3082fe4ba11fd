using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Infrastructure.ReadReplica;

/// <summary>
/// Measures, every poll, how far the replica is behind the primary. It reads the primary's WAL position first; a replica
/// that has replayed up to it holds everything committed before, so its lag is 0. Otherwise the lag is the age of the
/// newest transaction it has replayed: how old its picture of the ledger may be. A replica that cannot be reached, is no
/// longer in recovery (promoted: a different history), or has replayed nothing yet, has no usable lag.
/// </summary>
public sealed class ReplicaLagMonitor(ReplicaDatabase replica, IServiceScopeFactory scopes, IOptions<FinsoftOptions> options, TimeProvider time,
    ILogger<ReplicaLagMonitor> logger) : PollingWorker(time, logger)
{
    private bool _usable = true;

    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(options.Value.Database.ReplicaLagPollMilliseconds);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        long? lag;
        string? why = null;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var primary = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
            var position = await primary.Database.SqlQueryRaw<string>("SELECT pg_current_wal_lsn()::text AS \"Value\"").SingleAsync(ct);
            await using var standby = replica.CreateContext();
            lag = await standby.Database.SqlQuery<long?>($"""
                SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL
                            WHEN pg_last_wal_replay_lsn() >= {position}::pg_lsn THEN 0
                            WHEN pg_last_xact_replay_timestamp() IS NULL THEN NULL
                            ELSE greatest(0, extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::bigint
                       END AS "Value"
                """).SingleAsync(ct);
            why = lag is null ? "it is not in recovery or has replayed nothing" : null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            lag = null;
            why = e.GetBaseException().Message;
        }
        replica.Record(lag);
        // Said once when it changes, not every half second.
        if (_usable && lag is null)
        {
            Logger.LogWarning("The read-only replica cannot be used ({Reason}); stale-tolerant reads go to the primary", why);
        }
        else if (!_usable && lag is not null)
        {
            Logger.LogInformation("The read-only replica is usable again ({Lag} ms behind)", lag);
        }
        _usable = lag is not null;
    }
}
