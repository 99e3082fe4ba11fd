using System.Collections.Concurrent;
using System.Net;
using Finsoft.Api.Tests.Infrastructure;
using Npgsql;

namespace Finsoft.Api.Tests;

/// <summary>
/// Backups that bring the money back: SQLite's online backup taken from a running service under load, and PostgreSQL's
/// base backup plus archived WAL recovered to a moment. Either way every movement acknowledged before the backup's
/// moment is there, none after it, and the restored ledger verifies.
/// </summary>
public sealed class BackupTests
{
    [Fact]
    public async Task An_online_sqlite_backup_taken_under_load_restores_to_a_verifying_ledger()
    {
        var environment = ApiProcess.NodeEnvironment(DatabaseKind.Sqlite, Scratch.NewPath("live"));
        using var live = new ApiProcess(environment);
        await live.StartAsync();
        var api = new ApiClient(new HttpClient { BaseAddress = live.BaseAddress });
        var admin = await api.AdminAsync();
        var customer = await api.RegisterAsync(fullName: "Łucja Ibáñez");
        var wallets = new[] { await api.CreateAccountAsync(customer.Token), await api.CreateAccountAsync(customer.Token) };
        foreach (var wallet in wallets)
        {
            await api.DepositAsync(admin.Token, wallet, "1000.00");
        }

        // Transfers keep coming while the backup runs in a process of its own.
        var acknowledged = new ConcurrentBag<(Guid Id, DateTime At)>();
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                using var response = await api.TransferAsync(customer.Token, wallets[i % 2], wallets[(i + 1) % 2], "1.00", $"backup-{i}");
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                acknowledged.Add(((await ApiClient.BodyAsync(response)).GetProperty("id").GetGuid(), DateTime.UtcNow));
            }
        });
        while (acknowledged.Count < 50)
        {
            await Task.Delay(10);
        }
        var file = Path.Combine(Scratch.NewDirectory("backup"), "finsoft.db");
        var started = DateTime.UtcNow;
        var (exit, stdout, stderr) = await ApiProcess.RunCommandAsync(environment, "backup", file);
        var finished = DateTime.UtcNow;
        Assert.True(exit == 0, stderr);
        Assert.Contains("journal entries", stdout, StringComparison.Ordinal);
        while (acknowledged.Count(a => a.At > finished) < 20)
        {
            await Task.Delay(10);
        }
        await stop.CancelAsync();
        await load;
        live.Kill();

        // A second backup to the same name is refused: a backup never overwrites one.
        Assert.Equal(2, (await ApiProcess.RunCommandAsync(environment, "backup", file)).Exit);

        var restoredEnvironment = ApiProcess.NodeEnvironment(DatabaseKind.Sqlite, Path.GetDirectoryName(file)!);
        using var restored = new ApiProcess(restoredEnvironment);
        await restored.StartAsync();
        var back = new ApiClient(new HttpClient { BaseAddress = restored.BaseAddress });
        var verify = await back.VerifyLedgerAsync();
        Assert.True(verify.GetProperty("ok").GetBoolean(), verify.ToString());
        var session = await back.LoginAsync(customer.Email, customer.Password);
        Assert.Equal("Łucja Ibáñez", (await back.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/auth/me", token: session.Token)).GetProperty("full_name").GetString());
        foreach (var (id, at) in acknowledged)
        {
            using var response = await back.GetAsync($"/api/v1/transactions/{id}", session.Token);
            if (at < started)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode); // acknowledged before the backup began
            }
            else if (at > finished)
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode); // made after the copy was taken
            }
        }
        Assert.Equal(2000.00m, await TotalAsync(back, session.Token, wallets));
    }

    /// <summary>What the customer's wallets hold together: transfers between them never change it.</summary>
    public static async Task<decimal> TotalAsync(ApiClient api, string token, IEnumerable<Guid> wallets)
    {
        var total = 0m;
        foreach (var wallet in wallets)
        {
            total += decimal.Parse(await api.BalanceAsync(token, wallet), System.Globalization.CultureInfo.InvariantCulture);
        }
        return total;
    }
}

public sealed class PointInTimeRecoveryTests : IPostgresTests
{
    [DbFact]
    public async Task A_postgres_base_backup_with_archived_wal_recovers_to_a_moment_with_exactly_what_was_acknowledged_before_it()
    {
        using var server = PostgresServer.StartArchiving();
        var database = await server.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:Finsoft"] = server.ConnectionString(database) };
        await using var app = await TestApp.StartAsync(DatabaseKind.Postgres, settings);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var customer = await api.RegisterAsync();
        var wallets = new[] { await api.CreateAccountAsync(customer.Token), await api.CreateAccountAsync(customer.Token) };
        await api.DepositAsync(admin.Token, wallets[0], "500.00");

        using var copy = server.BaseBackup();
        async Task<List<Guid>> TransfersAsync(string prefix)
        {
            var ids = new List<Guid>();
            for (var i = 0; i < 30; i++)
            {
                using var response = await api.TransferAsync(customer.Token, wallets[i % 2], wallets[(i + 1) % 2], "10.00", $"{prefix}-{i}");
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                ids.Add((await ApiClient.BodyAsync(response)).GetProperty("id").GetGuid());
            }
            return ids;
        }
        var before = await TransfersAsync("before");
        await api.DepositAsync(admin.Token, wallets[1], "7.00");
        DateTime moment;
        await using (var connection = new NpgsqlConnection(server.ConnectionString(database)))
        {
            await connection.OpenAsync();
            moment = (DateTime)(await new NpgsqlCommand("SELECT clock_timestamp()", connection).ExecuteScalarAsync())!;
        }
        var after = await TransfersAsync("after");
        server.ArchiveCurrentWal();

        copy.RecoverTo(server.ArchiveDirectory, moment);
        await using var recovered = await TestApp.StartAsync(DatabaseKind.Postgres,
            new Dictionary<string, string?> { ["ConnectionStrings:Finsoft"] = copy.ConnectionString(database) });
        var back = recovered.Api();
        var verify = await back.VerifyLedgerAsync();
        Assert.True(verify.GetProperty("ok").GetBoolean(), verify.ToString());
        await using var db = new NpgsqlConnection(copy.ConnectionString(database));
        await db.OpenAsync();
        var stored = new List<Guid>();
        await using (var reader = await new NpgsqlCommand("SELECT id FROM transactions WHERE type = 'TRANSFER'", db).ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored.Add(reader.GetGuid(0));
            }
        }
        Assert.Equal(before.Order(), stored.Order());
        Assert.DoesNotContain(after, stored.Contains);
        var session = await back.LoginAsync(customer.Email, customer.Password);
        Assert.Equal(507.00m, await BackupTests.TotalAsync(back, session.Token, wallets)); // the deposit just before the moment is in
    }
}
