using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Tests;

/// <summary>
/// Concurrent transfers with idempotency keys against real API processes; one is killed with SIGKILL
/// mid-run and restarted while clients retry with the same keys. Afterwards money is conserved, no
/// wallet is negative, every balance is its opening plus exactly the acknowledged transfers, and each
/// acknowledged transfer exists once.
/// </summary>
public abstract class CrashTests(DatabaseKind kind)
{
    private const int Transfers = 300;
    private const long OpeningMinor = 50_000;

    [DbFact]
    public async Task Killing_an_api_process_mid_run_loses_and_duplicates_nothing()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "finsoft-crash-" + Guid.NewGuid().ToString("N")[..8]);
        var environment = new Dictionary<string, string>
        {
            ["Finsoft__DataDirectory"] = dataDirectory,
            ["Finsoft__Database__Provider"] = kind.ToString(),
            ["Finsoft__Jwt__SigningKey"] = new string('c', 48),
            ["Finsoft__Bootstrap__AdminEmail"] = TestApp.AdminEmail,
            ["Finsoft__Bootstrap__AdminPassword"] = TestApp.AdminPassword,
            ["Finsoft__IdempotencyLeaseSeconds"] = "2",
        };
        DbContextOptions<FinsoftDb> dbOptions;
        if (kind == DatabaseKind.Postgres)
        {
            var connection = PostgresServer.Instance.ConnectionString(await PostgresServer.Instance.CreateDatabaseAsync());
            environment["ConnectionStrings__Finsoft"] = connection;
            dbOptions = new DbContextOptionsBuilder<FinsoftDb>().UseNpgsql(connection).Options;
        }
        else
        {
            dbOptions = new DbContextOptionsBuilder<FinsoftDb>().UseSqlite($"Data Source={Path.Combine(dataDirectory, "finsoft.db")}").Options;
        }

        // SQLite is embedded: one process owns the file. PostgreSQL is shared by two API processes.
        var nodes = Enumerable.Range(0, kind == DatabaseKind.Postgres ? 2 : 1).Select(_ => new ApiProcess(environment)).ToArray();
        try
        {
            foreach (var node in nodes)
            {
                await node.StartAsync();
            }
            var setup = new ApiClient(new HttpClient { BaseAddress = nodes[0].BaseAddress });
            var admin = await setup.AdminAsync();
            var user = await setup.RegisterAsync();
            var accounts = new List<Guid>();
            for (var i = 0; i < 4; i++)
            {
                accounts.Add(await setup.CreateAccountAsync(user.Token));
                await setup.DepositAsync(admin.Token, accounts[^1], "500.00");
            }

            var clients = nodes.Select(n => new ApiClient(new HttpClient { BaseAddress = n.BaseAddress, Timeout = TimeSpan.FromSeconds(15) })).ToArray();
            var random = new Random(7);
            var plan = Enumerable.Range(0, Transfers).Select(i =>
            {
                var from = random.Next(accounts.Count);
                var to = (from + 1 + random.Next(accounts.Count - 1)) % accounts.Count;
                return (Index: i, Key: $"crash-{i}", From: accounts[from], To: accounts[to], Minor: (long)random.Next(1, 20_000));
            }).ToList();
            var acknowledged = new ConcurrentDictionary<string, (Guid Id, Guid From, Guid To, long Minor)>();
            var answered = 0;
            var interrupted = 0;
            var killer = Task.Run(async () =>
            {
                while (Volatile.Read(ref answered) < Transfers / 3)
                {
                    await Task.Delay(10);
                }
                nodes[0].Kill();
                await Task.Delay(500);
                await nodes[0].StartAsync();
            });

            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = timeout.Token }, async (p, ct) =>
            {
                var amount = (p.Minor / 100m).ToString("0.00", CultureInfo.InvariantCulture);
                for (var attempt = 0; ; attempt++)
                {
                    var client = clients[(p.Index + attempt) % clients.Length]; // spread over the nodes; a retry goes to the other one
                    try
                    {
                        using var response = await client.TransferAsync(user.Token, p.From, p.To, amount, p.Key);
                        if (response.StatusCode == HttpStatusCode.Created)
                        {
                            var id = (await ApiClient.BodyAsync(response)).GetProperty("id").GetGuid();
                            Assert.Equal(id, acknowledged.GetOrAdd(p.Key, (id, p.From, p.To, p.Minor)).Id);
                            break;
                        }
                        if (response.StatusCode == HttpStatusCode.BadRequest)
                        {
                            break; // refused for insufficient funds: a final answer, nothing moved
                        }
                        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{p.Key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                    {
                        // The node died under us: the transfer may or may not have committed. Retry with the same key.
                        Interlocked.Increment(ref interrupted);
                    }
                    await Task.Delay(50 * Math.Min(attempt + 1, 10), ct);
                }
                Interlocked.Increment(ref answered);
            });
            await killer;

            await using var db = new FinsoftDb(dbOptions);
            var balances = await db.Accounts.AsNoTracking().Where(a => accounts.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Balance);
            foreach (var account in accounts)
            {
                var expected = OpeningMinor - acknowledged.Values.Where(t => t.From == account).Sum(t => t.Minor)
                    + acknowledged.Values.Where(t => t.To == account).Sum(t => t.Minor);
                Assert.Equal(expected, balances[account]);
                Assert.True(balances[account] >= 0);
            }
            Assert.Equal(OpeningMinor * accounts.Count, balances.Values.Sum());
            var stored = await db.Transactions.Where(t => t.Type == "TRANSFER").Select(t => t.Id).ToListAsync();
            Assert.Equal(acknowledged.Values.Select(t => t.Id).Order(), stored.Order());
            Assert.True(acknowledged.Count > Transfers / 2, $"only {acknowledged.Count} transfers went through");
            Assert.True(interrupted > 0, "the kill did not interrupt any request, so it proved nothing");
            var report = await new ApiClient(new HttpClient { BaseAddress = nodes[0].BaseAddress }).VerifyLedgerAsync();
            Assert.True(report.GetProperty("ok").GetBoolean(), report.ToString());
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }
    }
}

public sealed class CrashTestsOnSqlite() : CrashTests(DatabaseKind.Sqlite);

public sealed class CrashTestsOnPostgres() : CrashTests(DatabaseKind.Postgres), IPostgresTests;
