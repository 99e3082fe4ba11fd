using System.Security.Cryptography;
using System.Text;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Store;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Aml;

/// <summary>
/// Loads `Finsoft:Aml:WatchlistFiles` at start, before the node serves: each source's files (its main file first,
/// then any OFAC aliases) become its next version, unless their digest is the one its latest version was loaded
/// from, so restarts do not pile up identical versions. A file that is missing or malformed stops the start.
/// </summary>
public static class WatchlistFiles
{
    public static async Task LoadAsync(IServiceProvider services, AmlOptions options, CancellationToken ct)
    {
        if (options.WatchlistFiles.Count == 0)
        {
            return;
        }
        // Nodes starting together load one at a time: the later ones find the files already in. PostgreSQL's advisory lock is
        // held by a transaction kept open for the load, so it holds behind a pooler too; SQLite serves one process.
        await using var lockScope = services.CreateAsyncScope();
        var lockDb = lockScope.ServiceProvider.GetRequiredService<FinsoftDb>();
        await using var held = lockDb.Database.IsNpgsql() ? await lockDb.Database.BeginTransactionAsync(ct) : null;
        if (held is not null)
        {
            // The transaction waits idle while other connections load: a server-wide idle timeout must not end it (and the lock).
            await lockDb.Database.ExecuteSqlRawAsync("SET LOCAL idle_in_transaction_session_timeout = 0", ct);
            await lockDb.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", ct);
        }
        await LoadFilesAsync(services, options, ct);
        if (held is not null)
        {
            await held.CommitAsync(ct);
        }
    }

    private const long AdvisoryLockKey = 0x46534C4953545321; // "FSLISTS!"

    private static async Task LoadFilesAsync(IServiceProvider services, AmlOptions options, CancellationToken ct)
    {
        foreach (var files in options.WatchlistFiles.GroupBy(f => f.Source.Trim()))
        {
            var source = files.Key;
            var list = files.ToList();
            if (source.Length == 0 || list[0].Format is not (Watchlists.OfacSdn or Watchlists.FtmJsonl)
                || list.Skip(1).Any(f => f.Format != Watchlists.OfacAlt))
            {
                throw new StartupException($"Finsoft:Aml:WatchlistFiles for source '{source}': name the source, then its {Watchlists.OfacSdn} or " +
                    $"{Watchlists.FtmJsonl} file, then any {Watchlists.OfacAlt} files.");
            }
            var texts = new List<string>();
            foreach (var file in list)
            {
                if (!File.Exists(file.Path))
                {
                    throw new StartupException($"Finsoft:Aml:WatchlistFiles: {file.Path} does not exist.");
                }
                texts.Add(await File.ReadAllTextAsync(file.Path, Encoding.UTF8, ct));
            }
            var digest = Digest(list, texts);

            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
            var logger = scope.ServiceProvider.GetRequiredService<ILogger<WatchlistFile>>();
            var latest = await WatchlistIndex.Latest(db).Where(v => v.Source == source).Select(v => v.ContentSha256).FirstOrDefaultAsync(ct);
            if (latest == digest)
            {
                logger.LogInformation("Watch list {Source} is unchanged since its last load", source);
                continue;
            }
            var work = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
            var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().UtcNow();
            var version = 0;
            for (var i = 0; i < list.Count; i++)
            {
                var (loaded, problem) = await Watchlists.LoadAsync(db, work, source, list[i].Format, texts[i], by: null, now, ct);
                if (loaded is null)
                {
                    throw new StartupException($"Finsoft:Aml:WatchlistFiles: {list[i].Path}: {problem}");
                }
                version = loaded.Version;
                logger.LogInformation("Loaded {Path} into watch list {Source} version {Version} ({Entries} entries)", list[i].Path, source, loaded.Version,
                    loaded.EntryCount);
            }
            // Only once every file is in: a start that failed half-way loads them all again next time.
            await db.WatchlistVersions.Where(v => v.Source == source && v.Version == version)
                .ExecuteUpdateAsync(s => s.SetProperty(v => v.ContentSha256, digest), ct);
        }
    }

    private static string Digest(IReadOnlyList<WatchlistFile> files, IReadOnlyList<string> texts)
    {
        var all = string.Join('\n', files.Select((f, i) => $"{f.Format}:{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(texts[i])))}"));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(all)));
    }
}
