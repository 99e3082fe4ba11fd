using System.Diagnostics;
using Npgsql;

namespace Finsoft.Api.Tests.Infrastructure;

/// <summary>
/// A private, throw-away PostgreSQL server for the test run: initdb into the run's scratch directory,
/// started on a random loopback port, killed and deleted when the test process exits (or, when the test
/// host is killed first, by the next run: see <see cref="Scratch"/>). Every test gets its own database in it.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private static readonly Lazy<PostgresServer> Shared = new(() => Start(durable: false), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _root;
    private readonly string _binDirectory;
    private readonly bool _durable;
    private readonly string _settings;

    private PostgresServer(string root, string binDirectory, int port, bool durable, string settings = "")
    {
        _root = root;
        _binDirectory = binDirectory;
        Port = port;
        _durable = durable;
        _settings = settings;
    }

    /// <summary>A server of one's own, with fsync on, for a test that stops it like a crash.</summary>
    public static PostgresServer StartDurable() => Start(durable: true);

    public int Port { get; }

    public static PostgresServer Instance => Shared.Value;

    /// <summary>Why PostgreSQL tests cannot run here, or null when they can.</summary>
    public static string? MissingReason() =>
        FindBinDirectory() is null
            ? "PostgreSQL binaries (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql/*/bin; install the 'postgresql' package to run these tests."
            : null;

    /// <summary>CI sets this so that a missing server fails the run instead of skipping half of it.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("FINSOFT_REQUIRE_POSTGRES") == "1";

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database, Pooling = true, MaxPoolSize = 40,
            // Every test has its own database, hence its own pool; a finished test's idle connections must not
            // hold server slots for Npgsql's default five minutes while later tests need them.
            ConnectionIdleLifetime = 2, ConnectionPruningInterval = 1,
            Timeout = 15, CommandTimeout = 60,
        }.ToString();

    public async Task<string> CreateDatabaseAsync()
    {
        var name = "finsoft_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return name;
    }

    /// <summary>Drops a test's database once its app is gone, so a run's disk use stays that of the tests in flight.</summary>
    public async Task DropDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Stops the server at once (like a crash) and starts it again on the same port and data.</summary>
    public void Restart()
    {
        PgCtl($"stop -m immediate -D {DataDirectory}");
        PgCtl(StartArguments());
    }

    private static PostgresServer Start(bool durable, string settings = "")
    {
        var server = Create(durable, settings);
        server.Tool("initdb", $"-D {server.DataDirectory} -U postgres -A trust --no-sync -E UTF8 --locale=C");
        server.PgCtl(server.StartArguments());
        return server;
    }

    private static PostgresServer Create(bool durable, string settings)
    {
        var bin = FindBinDirectory() ?? throw new InvalidOperationException(MissingReason());
        var root = Scratch.NewDirectory("pg");
        var server = new PostgresServer(root, bin, ApiProcess.FreePort(), durable, settings);
        // initdb and postgres refuse to run as root; the server runs as the 'postgres' system user instead.
        GiveToPostgres(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Destroy();
        return server;
    }

    /// <summary>
    /// A primary (fsync on) and a hot standby streaming from it, both PostgreSQL's own replication. With
    /// <paramref name="synchronous"/> the primary acknowledges a commit only once the standby has flushed it
    /// (synchronous_standby_names, synchronous_commit=on), so a promoted standby holds every acknowledged commit.
    /// The setting lives in the primary's own configuration, not the standby's: once promoted, the standby has no
    /// standby of its own to wait for.
    /// </summary>
    public static (PostgresServer Primary, PostgresServer Standby) StartPrimaryAndStandby(bool synchronous)
    {
        var primary = Start(durable: true, "-c wal_level=replica -c max_wal_senders=4 -c wal_keep_size=256MB");
        var standby = Create(durable: true, "-c hot_standby=on -c hot_standby_feedback=on");
        standby.Tool("pg_basebackup", $"-h 127.0.0.1 -p {primary.Port} -U postgres -D {standby.DataDirectory} -R -X stream -c fast");
        standby.PgCtl(standby.StartArguments());
        using var connection = new NpgsqlConnection(primary.ConnectionString("postgres"));
        connection.Open();
        for (var i = 0; Query<long>(connection, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == 0; i++)
        {
            if (i == 600)
            {
                throw new TimeoutException("the standby did not start streaming");
            }
            Thread.Sleep(100);
        }
        if (synchronous)
        {
            // Two statements: ALTER SYSTEM may not share a transaction (an implicit one included) with anything.
            Query<object>(connection, "ALTER SYSTEM SET synchronous_standby_names = '*'");
            Query<object>(connection, "SELECT pg_reload_conf()");
            while (Query<string>(connection, "SELECT coalesce(max(sync_state), '') FROM pg_stat_replication") != "sync")
            {
                Thread.Sleep(50);
            }
        }
        return (primary, standby);
    }

    /// <summary>
    /// A durable server that archives every finished WAL segment into <see cref="ArchiveDirectory"/> (archive_mode,
    /// archive_command), the other half of a base backup for point-in-time recovery.
    /// </summary>
    public static PostgresServer StartArchiving()
    {
        var server = Create(durable: true, "");
        server.Tool("initdb", $"-D {server.DataDirectory} -U postgres -A trust --no-sync -E UTF8 --locale=C");
        Directory.CreateDirectory(server.ArchiveDirectory);
        GiveToPostgres(server.ArchiveDirectory);
        File.AppendAllText(Path.Combine(server.DataDirectory, "postgresql.auto.conf"),
            $"wal_level = replica\narchive_mode = on\narchive_command = 'test ! -f {server.ArchiveDirectory}/%f && cp %p {server.ArchiveDirectory}/%f'\n");
        server.PgCtl(server.StartArguments());
        return server;
    }

    public string ArchiveDirectory => Path.Combine(_root, "archive");

    /// <summary>pg_basebackup of this server, into the data directory of a server not started yet.</summary>
    public PostgresServer BaseBackup()
    {
        var copy = Create(durable: true, "");
        copy.Tool("pg_basebackup", $"-h 127.0.0.1 -p {Port} -U postgres -D {copy.DataDirectory} -X stream -c fast");
        return copy;
    }

    /// <summary>Forces the current WAL segment out and waits until the archive has it.</summary>
    public void ArchiveCurrentWal()
    {
        using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        connection.Open();
        var segment = Query<string>(connection, "SELECT pg_walfile_name(pg_switch_wal())");
        for (var i = 0; !File.Exists(Path.Combine(ArchiveDirectory, segment)); i++)
        {
            if (i == 600)
            {
                throw new TimeoutException($"WAL segment {segment} was not archived");
            }
            Thread.Sleep(100);
        }
    }

    /// <summary>
    /// Starts this base backup as a point-in-time recovery: it replays <paramref name="archive"/>'s WAL up to
    /// <paramref name="target"/>, no further, and then takes writes (on a timeline of its own, archiving nothing).
    /// </summary>
    public void RecoverTo(string archive, DateTime target)
    {
        File.AppendAllText(Path.Combine(DataDirectory, "postgresql.auto.conf"),
            $"archive_mode = off\nrestore_command = 'cp {archive}/%f %p'\n" +
            $"recovery_target_time = '{target.ToUniversalTime():yyyy-MM-dd HH:mm:ss.ffffff}+00'\nrecovery_target_action = 'promote'\n");
        File.WriteAllText(Path.Combine(DataDirectory, "recovery.signal"), "");
        PgCtl(StartArguments());
        using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        connection.Open();
        for (var i = 0; Query<bool>(connection, "SELECT pg_is_in_recovery()"); i++)
        {
            if (i == 600)
            {
                throw new TimeoutException("the recovery did not end");
            }
            Thread.Sleep(100);
        }
    }

    private static void GiveToPostgres(string path)
    {
        if (RunningAsRoot)
        {
            Run("chown", $"postgres {path}");
        }
    }

    /// <summary>SIGKILL to the postmaster and every process under it, as when the machine is lost: no shutdown, no WAL flush.</summary>
    public void Kill()
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
        var children = Directory.GetDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ParentOf(pid) == postmaster).ToList();
        foreach (var pid in children.Prepend(postmaster))
        {
            Run("kill", $"-KILL {pid}", mayFail: true);
        }
    }

    /// <summary>Ends recovery on a standby: from here it takes writes and is what a primary-only connection finds.</summary>
    public void Promote() => PgCtl($"promote -w -t 60 -D {DataDirectory}");

    private static int ParentOf(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after its closing parenthesis.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static T Query<T>(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        var value = command.ExecuteScalar();
        return value is T typed ? typed : default!;
    }

    private string DataDirectory => Path.Combine(_root, "data");

    // fsync is off in the shared throw-away test server, for speed; the crash test's own server and bench/ keep it on.
    private string StartArguments() =>
        $"start -w -t 60 -D {DataDirectory} -l {Path.Combine(_root, "server.log")} " +
        $"-o \"-p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync={(_durable ? "on" : "off")} -c max_connections=500 -c shared_buffers=64MB {_settings}\"";

    public void Dispose() => Destroy();

    private void PgCtl(string arguments) => Tool("pg_ctl", arguments);

    private void Tool(string name, string arguments)
    {
        var path = Path.Combine(_binDirectory, name);
        if (RunningAsRoot)
        {
            Run("runuser", $"-u postgres -- {path} {arguments}");
        }
        else
        {
            Run(path, arguments);
        }
    }

    // Not pg_ctl stop: the test host is killed soon after its last test, and this has to be done by then.
    private void Destroy()
    {
        Scratch.StopPostgresServersIn(_root);
        Scratch.TryDelete(_root);
    }

    private static bool RunningAsRoot => Environment.UserName == "root";

    private static void Run(string file, string arguments, bool mayFail = false)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {arguments} timed out");
        }
        if (process.ExitCode != 0 && !mayFail)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {stdout.Result}{stderr.Result}");
        }
    }

    private static string? FindBinDirectory()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
        if (onPath is not null)
        {
            return Path.GetDirectoryName(Path.GetFullPath(ResolveLink(Path.Combine(onPath, "initdb"))));
        }
        const string debianRoot = "/usr/lib/postgresql";
        return Directory.Exists(debianRoot)
            ? Directory.GetDirectories(debianRoot).Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
    }

    private static string ResolveLink(string path) =>
        new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
}
