using Finsoft.Api.Host;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Infrastructure.Persistence;

/// <summary>
/// <c>backup &lt;file&gt;</c>: a consistent copy of the embedded database, taken while the service keeps running. SQLite's
/// online backup copies every page in one pass under one read transaction, so the copy is the database at one moment
/// (in WAL mode the service's writers are not held up meanwhile). The copy is written beside its destination, checked,
/// and only then given its name, so a file under that name is always a whole backup.
/// </summary>
public static class SqliteBackup
{
    public static async Task RunAsync(WebApplication app, string destination, TextWriter output)
    {
        if (app.Services.GetRequiredService<DatabaseTarget>().Provider != DatabaseProvider.Sqlite)
        {
            throw new StartupException("backup copies the embedded SQLite database; back PostgreSQL up with pg_basebackup and WAL archiving (see the README).");
        }
        destination = Path.GetFullPath(destination);
        if (File.Exists(destination))
        {
            throw new StartupException($"{destination} already exists; backup never overwrites a file.");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var partial = destination + ".partial";
        File.Delete(partial);

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var source = (SqliteConnection)db.Database.GetDbConnection();
        if (!File.Exists(source.DataSource))
        {
            throw new StartupException($"There is no database at {source.DataSource} to back up.");
        }
        await db.Database.OpenConnectionAsync(); // with the service's pragmas: a busy writer is waited for, not failed on
        long entries;
        await using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ToString()))
        {
            await copy.OpenAsync();
            source.BackupDatabase(copy);
            var check = await ScalarAsync(copy, "PRAGMA integrity_check");
            if (check as string != "ok")
            {
                throw new StartupException($"The copy failed its integrity check ({check}); {partial} is left for inspection.");
            }
            entries = (long)(await ScalarAsync(copy, "SELECT COUNT(*) FROM journal_entries"))!;
        }
        File.Move(partial, destination);
        await output.WriteLineAsync($"Backed up {source.DataSource} to {destination}: {entries} journal entries.");
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
