using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Finsoft.Api.Tests;

/// <summary>
/// Concurrent transfers and withdrawals with idempotency keys against real API processes; one is killed
/// with SIGKILL mid-run and restarted, and on PostgreSQL (a server of the test's own, fsync on) the
/// database itself is stopped with `-m immediate` and restarted, while clients retry with the same keys.
/// Afterwards money is conserved, no wallet is negative, every balance is its opening plus exactly the
/// acknowledged transfers less the completed withdrawals, each acknowledged transfer exists once, no
/// withdrawal is stuck in PROCESSING, and the ledger verifies.
/// </summary>
public abstract class CrashTests(DatabaseKind kind, ITestOutputHelper output)
{
    private const int Transfers = 300;
    private const int Withdrawals = 20;

    [DbFact]
    public async Task Killing_an_api_process_and_the_database_mid_run_loses_and_duplicates_nothing()
    {
        using var server = kind == DatabaseKind.Postgres ? PostgresServer.StartDurable() : null;
        var dataDirectory = Scratch.NewPath("crash");
        var environment = ApiProcess.NodeEnvironment(kind, dataDirectory);
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
            var workload = new KeyedMoneyWorkload(Transfers, Withdrawals, "crash");
            await workload.SetUpAsync(nodes[0].BaseAddress);
            await workload.RunAsync([.. nodes.Select(n => n.BaseAddress)], async () =>
            {
                if (server is not null)
                {
                    await workload.WaitForAnswersAsync(Transfers / 5);
                    server.Restart(); // pg_ctl stop -m immediate: no checkpoint, WAL replay on start
                }
                await workload.WaitForAnswersAsync(Transfers / 2);
                nodes[0].Kill();
                await Task.Delay(500);
                await nodes[0].StartAsync();
            });

            await workload.AssertNothingLostAsync(dbOptions, nodes[0].BaseAddress);
            Assert.True(workload.Interrupted > 0, "the kill did not interrupt any request, so it proved nothing");
            Assert.True(server is null || workload.Unavailable > 0, "the database restart did not interrupt any request, so it proved nothing");
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
                node.WriteOutputTo(output);
            }
        }
    }
}
public sealed class CrashTestsOnSqlite(ITestOutputHelper output) : CrashTests(DatabaseKind.Sqlite, output);

public sealed class CrashTestsOnPostgres(ITestOutputHelper output) : CrashTests(DatabaseKind.Postgres, output), IPostgresTests;
