using System.Data.Common;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.ReadReplica;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Finsoft.Api.Infrastructure.Persistence;

public static class DatabaseSetup
{
    public static DatabaseProvider ParseProvider(string? text) =>
        Enum.TryParse<DatabaseProvider>(text, ignoreCase: true, out var provider) && Enum.IsDefined(provider) && !int.TryParse(text, out _)
            ? provider
            : throw new StartupException($"Finsoft:Database:Provider must be Sqlite or Postgres, not '{text}'.");

    public static IServiceCollection AddFinsoftDatabase(this IServiceCollection services, IConfiguration configuration, FinsoftOptions options)
    {
        var provider = ParseProvider(options.Database.Provider);
        var connectionString = configuration.GetConnectionString("Finsoft");
        if (provider == DatabaseProvider.Sqlite)
        {
            connectionString = SqliteConnectionString(connectionString, options.DataDirectory);
        }
        else if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new StartupException("ConnectionStrings:Finsoft is required when Finsoft:Database:Provider is Postgres.");
        }
        else
        {
            connectionString = PostgresConnectionString(connectionString, options.Database.Pooler, "ConnectionStrings:Finsoft");
        }

        services.AddSingleton(new DatabaseTarget(provider));
        services.AddDbContextPool<FinsoftDb>(db =>
        {
            if (provider == DatabaseProvider.Postgres)
            {
                db.UseNpgsql(connectionString);
            }
            else
            {
                db.UseSqlite(connectionString).AddInterceptors(SqlitePragmas.Instance);
            }
        });
        services.AddScoped<MigrationRunner>();
        services.AddReadReplica(configuration.GetConnectionString("FinsoftReadOnly"), provider, options.Database);
        return services;
    }

    /// <summary>
    /// A streaming replica for reads that may be slightly stale (<see cref="StaleReadsEndpoints.ReadsFromReplica"/>), when
    /// <c>ConnectionStrings:FinsoftReadOnly</c> names one; its lag is measured by each node.
    /// </summary>
    private static void AddReadReplica(this IServiceCollection services, string? connectionString, DatabaseProvider provider, DatabaseOptions options)
    {
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            if (provider != DatabaseProvider.Postgres)
            {
                throw new StartupException("ConnectionStrings:FinsoftReadOnly names a PostgreSQL replica; it needs Finsoft:Database:Provider=Postgres.");
            }
            if (options.ReplicaMaxLagMilliseconds < 0 || options.ReplicaLagPollMilliseconds <= 0)
            {
                throw new StartupException("Finsoft:Database:ReplicaMaxLagMilliseconds must be 0 or more and ReplicaLagPollMilliseconds more than 0.");
            }
            connectionString = PostgresConnectionString(connectionString, options.Pooler, "ConnectionStrings:FinsoftReadOnly");
            services.AddHostedService<ReplicaLagMonitor>();
        }
        else
        {
            connectionString = null;
        }
        services.AddSingleton(provider => new ReplicaDatabase(connectionString, options, provider.GetRequiredService<TimeProvider>()));
        services.AddScoped<StaleReads>();
    }

    /// <summary>
    /// Every request runs the same few statements (the session check, the engine's batch), so they are
    /// prepared once per connection instead of parsed and planned by the server each time; the pool
    /// skips the reset round trip because no session state is ever set. Both can be overridden in the
    /// connection string. Behind PgBouncer in transaction mode nothing is prepared: a statement prepared in
    /// one transaction's server connection is not there in the next one's.
    /// </summary>
    private static string PostgresConnectionString(string configured, string pooler, string setting)
    {
        if (pooler is not (DatabaseOptions.NoPooler or DatabaseOptions.PgBouncerTransaction))
        {
            throw new StartupException($"Finsoft:Database:Pooler must be {DatabaseOptions.NoPooler} or {DatabaseOptions.PgBouncerTransaction}, not '{pooler}'.");
        }
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(configured);
        }
        catch (ArgumentException e)
        {
            throw new StartupException($"{setting} is not a valid PostgreSQL connection string: {e.Message}");
        }
        if (pooler == DatabaseOptions.PgBouncerTransaction)
        {
            if (builder.MaxAutoPrepare > 0)
            {
                throw new StartupException("Max Auto Prepare must be 0 behind PgBouncer in transaction mode: prepared statements do not survive a transaction.");
            }
        }
        else if (!configured.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }
        if (!configured.Contains("No Reset On Close", StringComparison.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }
        return builder.ToString();
    }

    private static string SqliteConnectionString(string? configured, string dataDirectory)
    {
        var builder = new SqliteConnectionStringBuilder(configured ?? "");
        if (string.IsNullOrWhiteSpace(builder.DataSource))
        {
            Directory.CreateDirectory(dataDirectory);
            builder.DataSource = Path.Combine(Path.GetFullPath(dataDirectory), "finsoft.db");
        }
        builder.ForeignKeys = true;
        builder.DefaultTimeout = 30;
        return builder.ToString();
    }

    /// <summary>True for the failures a retry of the whole transaction cures: deadlock, serialisation, a busy SQLite writer.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure,
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
        DbUpdateException update when update.InnerException is not null => IsTransient(update.InnerException),
        _ => false,
    };

    /// <summary>
    /// True when the database cannot be reached rather than refusing the request: connection refused or lost, the server
    /// shutting down or starting up, no connection slot, or (during a failover) no host that is a primary yet, or a
    /// connection that reached a server now in recovery. Not a bug, an outage: the client retries with its key.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is System.Net.Sockets.SocketException or EndOfStreamException
                // admin shutdown, crash shutdown, cannot connect now, no connection slot left, read-only (a standby)
                || e is PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "53300" or "25006" }
                || e is NpgsqlException { InnerException: IOException or System.Net.Sockets.SocketException or TimeoutException }
                // a multi-host connection string with no host answering as a primary: Npgsql collects each host's failure,
                // or, when every host is known down or a standby from a moment ago, says so in a message of its own
                || e is NpgsqlException { InnerException: AggregateException }
                || e is NpgsqlException { InnerException: null } and not PostgresException && e.Message.StartsWith("No suitable host", StringComparison.Ordinal))
            {
                return true;
            }
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsUnavailable))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>True when the database refused a row because a unique index already holds its key.</summary>
    public static bool IsUniqueViolation(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 2067 or 1555, // UNIQUE, PRIMARYKEY
        DbUpdateException update when update.InnerException is not null => IsUniqueViolation(update.InnerException),
        _ => false,
    };

    /// <summary>Every SQLite connection commits durably (synchronous=FULL is per connection, not per file).</summary>
    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        public static readonly SqlitePragmas Instance = new();

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Apply(connection);
            return Task.CompletedTask;
        }

        private static void Apply(DbConnection connection)
        {
            using var command = connection.CreateCommand();
            // secure_delete=FAST: freed space in a page it writes anyway is zeroed, so a shredded key (ADR 0013) leaves no copy behind.
            command.CommandText = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA secure_delete=FAST;";
            command.ExecuteNonQuery();
        }
    }
}
