using System.Diagnostics;
using System.Net.Sockets;

namespace Finsoft.Api.Tests.Infrastructure;

/// <summary>
/// Debian's PgBouncer in front of the test run's PostgreSQL, pooling by transaction: every database name passes through to
/// the same name on the server. Runs in the foreground (as the 'postgres' user when the tests run as root: PgBouncer
/// refuses root) and is killed when disposed.
/// </summary>
public sealed class PgBouncerServer : IDisposable
{
    private readonly Process _process;

    private PgBouncerServer(Process process, int port) => (_process, Port) = (process, port);

    public int Port { get; }

    public static async Task<PgBouncerServer> StartAsync(int postgresPort, int poolSize = 20)
    {
        var directory = Scratch.NewDirectory("pgbouncer");
        var port = ApiProcess.FreePort();
        var users = Path.Combine(directory, "userlist.txt");
        await File.WriteAllTextAsync(users, "\"postgres\" \"\"\n");
        var config = Path.Combine(directory, "pgbouncer.ini");
        await File.WriteAllTextAsync(config, $"""
            [databases]
            * = host=127.0.0.1 port={postgresPort}

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            unix_socket_dir =
            auth_type = trust
            auth_file = {users}
            pool_mode = transaction
            default_pool_size = {poolSize}
            max_client_conn = 1000
            server_reset_query =
            ignore_startup_parameters = extra_float_digits
            """);
        var program = ToolFactAttribute.Find("pgbouncer") ?? throw new InvalidOperationException("pgbouncer is not installed (Debian: apt-get install pgbouncer).");
        var asRoot = Environment.UserName == "root";
        if (asRoot && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
                | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        var start = new ProcessStartInfo(asRoot ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in asRoot ? ["-u", "postgres", "--", program, config] : new[] { config })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start)!;
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => log.AppendLine(e.Data);
        process.ErrorDataReceived += (_, e) => log.AppendLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return new PgBouncerServer(process, port);
            }
            catch (SocketException) when (!process.HasExited)
            {
                await Task.Delay(100);
            }
        }
        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException($"pgbouncer did not start: {log}");
    }

    /// <summary>The test server's connection string for a database, through this pooler.</summary>
    public string ConnectionString(string database) =>
        new Npgsql.NpgsqlConnectionStringBuilder(PostgresServer.Instance.ConnectionString(database)) { Port = Port }.ToString();

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}
