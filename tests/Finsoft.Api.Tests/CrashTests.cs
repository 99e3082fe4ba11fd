using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Tests;

/// <summary>
/// Concurrent transfers and withdrawals with idempotency keys against real API processes; one is killed
/// with SIGKILL mid-run and restarted, and on PostgreSQL (a server of the test's own, fsync on) the
/// database itself is stopped with `-m immediate` and restarted, while clients retry with the same keys.
/// Afterwards money is conserved, no wallet is negative, every balance is its opening plus exactly the
/// acknowledged transfers less the completed withdrawals, each acknowledged transfer exists once, no
/// withdrawal is stuck in PROCESSING, and the ledger verifies.
/// </summary>
public abstract class CrashTests(DatabaseKind kind)
{
    private const int Transfers = 300;
    private const int Withdrawals = 20;
    private const long OpeningMinor = 50_000;

    [DbFact]
    public async Task Killing_an_api_process_and_the_database_mid_run_loses_and_duplicates_nothing()
    {
        using var server = kind == DatabaseKind.Postgres ? PostgresServer.StartDurable() : null;
        var dataDirectory = Scratch.NewPath("crash");
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
            var connection = server!.ConnectionString(await server.CreateDatabaseAsync());
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

            var clabe = Finsoft.Ledger.Clabe.Create("012", "180", "01002029399").Value;
            var destination = (await setup.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/destination-accounts",
                new { account_number = clabe, friendly_name = "Out", holder_name = "Pedro Chan Vargas" }, user.Token)).GetProperty("id").GetGuid();
            await setup.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/destination-accounts/{destination}/verify", token: user.Token);

            var clients = nodes.Select(n => new ApiClient(new HttpClient { BaseAddress = n.BaseAddress, Timeout = TimeSpan.FromSeconds(15) })).ToArray();
            var random = new Random(7);
            var plan = Enumerable.Range(0, Transfers).Select(i =>
            {
                var from = random.Next(accounts.Count);
                var to = (from + 1 + random.Next(accounts.Count - 1)) % accounts.Count;
                // Every sixteenth operation (twenty in all) is a withdrawal to the bank instead of a transfer.
                var withdrawal = i % (Transfers / Withdrawals) == 0;
                return (Index: i, Key: $"crash-{i}", From: accounts[from], To: withdrawal ? (Guid?)null : accounts[to], Minor: (long)random.Next(1, 20_000));
            }).ToList();
            var withdrawals = new ConcurrentDictionary<string, Guid>();
            var acknowledged = new ConcurrentDictionary<string, (Guid Id, Guid From, Guid To, long Minor)>();
            var answered = 0;
            var interrupted = 0;
            var unavailable = 0;
            var restartedAt = 0;
            async Task WaitForAnswersAsync(int count)
            {
                while (Volatile.Read(ref answered) < count)
                {
                    await Task.Delay(5);
                }
            }
            var killer = Task.Run(async () =>
            {
                if (server is not null)
                {
                    await WaitForAnswersAsync(Transfers / 5);
                    Volatile.Write(ref restartedAt, Volatile.Read(ref answered));
                    server.Restart(); // pg_ctl stop -m immediate: no checkpoint, WAL replay on start
                }
                await WaitForAnswersAsync(Transfers / 2);
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
                        if (p.To is null)
                        {
                            using var paid = await client.PostAsync("/api/v1/transactions/withdrawal",
                                new { origin_account_id = p.From, external_destination_account_id = destination, amount }, user.Token, p.Key);
                            if (paid.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.BadRequest)
                            {
                                if (paid.StatusCode == HttpStatusCode.Accepted)
                                {
                                    var id = (await ApiClient.BodyAsync(paid)).GetProperty("id").GetGuid();
                                    Assert.Equal(id, withdrawals.GetOrAdd(p.Key, id));
                                }
                                break;
                            }
                            CountUnavailable(paid.StatusCode, ref unavailable);
                            Assert.True(paid.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.ServiceUnavailable, $"{p.Key}: {(int)paid.StatusCode} {await paid.Content.ReadAsStringAsync(ct)}");
                            continue;
                        }
                        using var response = await client.TransferAsync(user.Token, p.From, p.To.Value, amount, p.Key);
                        if (response.StatusCode == HttpStatusCode.Created)
                        {
                            var id = (await ApiClient.BodyAsync(response)).GetProperty("id").GetGuid();
                            Assert.Equal(id, acknowledged.GetOrAdd(p.Key, (id, p.From, p.To.Value, p.Minor)).Id);
                            break;
                        }
                        if (response.StatusCode == HttpStatusCode.BadRequest)
                        {
                            break; // refused for insufficient funds: a final answer, nothing moved
                        }
                        // 409: the same key is still running elsewhere; 503: the database is down. Both mean: retry with the key.
                        CountUnavailable(response.StatusCode, ref unavailable);
                        Assert.True(response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.ServiceUnavailable, $"{p.Key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
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
            // The bank settles the acknowledged withdrawals after the run; none may stay in flight.
            var inFlight = new[] { "PENDING", "PROCESSING" };
            for (var i = 0; i < 600 && await db.Transactions.AnyAsync(t => t.Type == "WITHDRAWAL" && inFlight.Contains(t.Status)); i++)
            {
                await Task.Delay(100);
            }
            Assert.False(await db.Transactions.AnyAsync(t => inFlight.Contains(t.Status)), "a transaction is stuck in flight");
            var paidOut = await db.Transactions.Where(t => t.Type == "WITHDRAWAL" && t.Status == "COMPLETED")
                .Select(t => new { t.Id, t.OriginAccountId, t.Amount }).ToListAsync();
            Assert.Equal(withdrawals.Values.Order(), (await db.Transactions.Where(t => t.Type == "WITHDRAWAL").Select(t => t.Id).ToListAsync()).Order());
            Assert.NotEmpty(paidOut);
            var balances = await db.Accounts.AsNoTracking().Where(a => accounts.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Balance);
            foreach (var account in accounts)
            {
                var expected = OpeningMinor - acknowledged.Values.Where(t => t.From == account).Sum(t => t.Minor)
                    + acknowledged.Values.Where(t => t.To == account).Sum(t => t.Minor)
                    - paidOut.Where(w => w.OriginAccountId == account).Sum(w => w.Amount);
                Assert.Equal(expected, balances[account]);
                Assert.True(balances[account] >= 0);
            }
            Assert.Equal(OpeningMinor * accounts.Count, balances.Values.Sum() + paidOut.Sum(w => w.Amount));
            Assert.False(await db.Accounts.AnyAsync(a => accounts.Contains(a.Id) && a.Held != 0));
            var stored = await db.Transactions.Where(t => t.Type == "TRANSFER").Select(t => t.Id).ToListAsync();
            Assert.Equal(acknowledged.Values.Select(t => t.Id).Order(), stored.Order());
            // The event feed tells exactly what happened: each acknowledged movement once, nothing for what was not, no gap.
            var events = (await db.Events.AsNoTracking().OrderBy(e => e.Position).ToListAsync())
                .Select(e => (e.Position, e.Type, Id: System.Text.Json.JsonDocument.Parse(e.Data).RootElement.GetProperty("id").GetGuid())).ToList();
            Assert.Equal(Enumerable.Range(1, events.Count).Select(n => (long)n), events.Select(e => e.Position));
            var expectedEvents = acknowledged.Values.SelectMany(t => new[] { ("transaction.created", t.Id), ("transaction.completed", t.Id) })
                .Concat(paidOut.SelectMany(w => new[] { ("transaction.created", w.Id), ("withdrawal.sent", w.Id), ("transaction.completed", w.Id) }));
            var deposits = await db.Transactions.Where(t => t.Type == "DEPOSIT").Select(t => t.Id).ToListAsync();
            expectedEvents = expectedEvents.Concat(deposits.SelectMany(d => new[] { ("transaction.created", d), ("transaction.completed", d) }));
            Assert.Equal(expectedEvents.Order(), events.Select(e => (e.Type, e.Id)).Order());
            Assert.True(acknowledged.Count > Transfers / 2, $"only {acknowledged.Count} transfers went through");
            Assert.True(interrupted > 0, "the kill did not interrupt any request, so it proved nothing");
            Assert.True(server is null || unavailable > 0, $"the database restart (after {restartedAt} answers) did not interrupt any request, so it proved nothing");
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

    private static void CountUnavailable(HttpStatusCode status, ref int unavailable)
    {
        if (status == HttpStatusCode.ServiceUnavailable)
        {
            Interlocked.Increment(ref unavailable);
        }
    }
}

public sealed class CrashTestsOnSqlite() : CrashTests(DatabaseKind.Sqlite);

public sealed class CrashTestsOnPostgres() : CrashTests(DatabaseKind.Postgres), IPostgresTests;
