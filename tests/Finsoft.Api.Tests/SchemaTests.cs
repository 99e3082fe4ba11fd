using System.Diagnostics;
using System.Net;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Finsoft.Api.Tests;

public abstract class SchemaTests(DatabaseKind kind)
{
    [DbFact]
    public async Task A_newer_build_upgrades_an_older_database_without_losing_data()
    {
        var dataDirectory = Scratch.NewDirectory("upgrade");
        var (overrides, options) = await EmptyDatabaseAsync(dataDirectory);

        // The database as the first release left it: only migration 0001, with a user in it. Rows are written
        // in SQL, as that release wrote them: today's model has columns the old schema lacks.
        var userId = Guid.NewGuid();
        var provider = kind == DatabaseKind.Postgres ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        var now = DateTime.UtcNow;
        await using (var old = new FinsoftDb(options))
        {
            Assert.Equal(1, await new MigrationRunner(old, new DatabaseTarget(provider), NullLogger<MigrationRunner>.Instance).MigrateAsync(upTo: 1));
            var hash = new PasswordHasher<UserRow>().HashPassword(null!, "an-early-password");
            await old.Database.ExecuteSqlRawAsync(
                "INSERT INTO users (id, full_name, email, password_hash, role, is_active, created_at, updated_at) VALUES ({0}, 'Early Adopter', 'early@example.test', {1}, 'customer', true, {2}, {2})",
                Id(userId), hash, Time(now));
        }
        // Release 3 stored destination account numbers in plain text; the upgrade encrypts them.
        var destinationId = Guid.NewGuid();
        var plainClabe = Finsoft.Ledger.Clabe.Create("002", "010", "07777777777").Value;
        await using (var old = new FinsoftDb(options))
        {
            Assert.Equal(2, await new MigrationRunner(old, new DatabaseTarget(provider), NullLogger<MigrationRunner>.Instance).MigrateAsync(upTo: 3));
            await old.Database.ExecuteSqlRawAsync(
                "INSERT INTO destination_accounts (id, user_id, account_number, bank_code, bank_name, friendly_name, holder_full_name, verification_status, created_at, updated_at) " +
                "VALUES ({0}, {1}, {2}, '002', 'BANAMEX', 'Rent', 'Early Adopter', 'verified', {3}, {3})",
                Id(destinationId), Id(userId), plainClabe, Time(now));
        }

        await using var app = await TestApp.StartAsync(kind, overrides);
        var api = app.Api();
        var user = await api.LoginAsync("early@example.test", "an-early-password");
        Assert.Equal(userId, user.UserId);
        var admin = await api.AdminAsync();
        var from = await api.CreateAccountAsync(user.Token);
        var to = await api.CreateAccountAsync(user.Token);
        await api.DepositAsync(admin.Token, from, "10.00");
        // Idempotency keys live in migration 0002: using one proves the upgrade ran.
        Assert.Equal(HttpStatusCode.Created, (await api.TransferAsync(user.Token, from, to, "4.00", "upgrade-key")).StatusCode);
        var destination = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/destination-accounts/{destinationId}", token: user.Token);
        Assert.Equal(plainClabe, destination.GetProperty("account_number").GetString());
        var stored = await app.WithDbAsync(db => db.DestinationAccounts.AsNoTracking().SingleAsync(d => d.Id == destinationId));
        Assert.DoesNotContain(plainClabe, stored.AccountNumber, StringComparison.Ordinal);
        Assert.NotNull(stored.AccountNumberHash);
        var versions = await app.WithDbAsync(db => db.Database.SqlQueryRaw<int>("SELECT version AS \"Value\" FROM schema_migrations").ToListAsync());
        Assert.Equal(MigrationRunner.Available(kind == DatabaseKind.Postgres ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite).Select(m => m.Version), versions.Order());
    }

    [DbFact]
    public async Task Upgrading_past_0023_keeps_every_entry_and_posting_and_the_journal_still_proves()
    {
        var dataDirectory = Scratch.NewDirectory("upgrade-journal");
        var (overrides, options) = await EmptyDatabaseAsync(dataDirectory);
        var provider = kind == DatabaseKind.Postgres ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;

        // A journal of one entry as release 21 wrote it (postings without their entry's sequence, transaction or time), hashed
        // as the service hashes, between two system accounts.
        var (debited, credited, transaction, entry) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var at = new DateTime(2026, 3, 14, 9, 26, 53, DateTimeKind.Utc);
        var mxn = Finsoft.Ledger.Currency.Get("MXN");
        var hash = Finsoft.Ledger.EntryHash.Compute(new Finsoft.Ledger.EntryHash.Content(1, entry, transaction, at,
            [new Finsoft.Ledger.Posting(debited, 70_000, mxn), new Finsoft.Ledger.Posting(credited, -70_000, mxn)], at), Finsoft.Ledger.EntryHash.Genesis);
        await using (var old = new FinsoftDb(options))
        {
            Assert.Equal(21, await new MigrationRunner(old, new DatabaseTarget(provider), NullLogger<MigrationRunner>.Instance).MigrateAsync(upTo: 21));
            foreach (var (account, side, balance) in new[] { (debited, "debit", 70_000), (credited, "credit", 70_000) })
            {
                await old.Database.ExecuteSqlRawAsync(
                    "INSERT INTO accounts (id, kind, system_code, currency, normal_side, balance, held, created_at, updated_at) VALUES ({0}, 'system', {1}, 'MXN', {2}, {3}, 0, {4}, {4})",
                    Id(account), "upgrade_" + side, side, balance, Time(at));
            }
            await old.Database.ExecuteSqlRawAsync(
                "INSERT INTO transactions (id, type, status, amount, currency, initiated_by, attempts, created_at, updated_at) VALUES ({0}, 'ADJUSTMENT', 'COMPLETED', 70000, 'MXN', {1}, 0, {2}, {2})",
                Id(transaction), Id(Guid.NewGuid()), Time(at));
            await old.Database.ExecuteSqlRawAsync(
                "INSERT INTO journal_entries (id, sequence, transaction_id, created_at, effective_at, previous_hash, hash) VALUES ({0}, 1, {1}, {2}, {2}, {3}, {4})",
                Id(entry), Id(transaction), Time(at), Finsoft.Ledger.EntryHash.Genesis, hash);
            await old.Database.ExecuteSqlRawAsync(
                "INSERT INTO postings (entry_id, account_id, amount, currency, effective_at) VALUES ({0}, {1}, 70000, 'MXN', {3}), ({0}, {2}, -70000, 'MXN', {3})",
                Id(entry), Id(debited), Id(credited), Time(at));
            await old.Database.ExecuteSqlRawAsync("UPDATE ledger_head SET sequence = 1, last_hash = {0}", hash);
        }

        await using var app = await TestApp.StartAsync(kind, overrides);
        var postings = await app.WithDbAsync(db => db.Postings.AsNoTracking().OrderBy(p => p.Id).ToListAsync());
        Assert.Equal([(1L, transaction, at), (1L, transaction, at)], postings.Select(p => (p.Sequence, p.TransactionId, p.CreatedAt)));
        var report = await app.Api().VerifyLedgerAsync();
        Assert.True(report.GetProperty("ok").GetBoolean(), report.ToString());
        if (kind == DatabaseKind.Postgres)
        {
            // Partitioned by month, the old rows in theirs; a new posting's id comes after the old ones.
            Assert.Equal(1, await app.WithDbAsync(db => db.Database.SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM journal_entries_y2026m03").SingleAsync()));
            Assert.Equal("p", await app.WithDbAsync(db => db.Database.SqlQueryRaw<string>("SELECT relkind::text AS \"Value\" FROM pg_class WHERE relname = 'postings'").SingleAsync()));
            var api = app.Api();
            var user = await api.RegisterAsync();
            await api.DepositAsync((await api.AdminAsync()).Token, await api.CreateAccountAsync(user.Token), "5.00");
            var lastOld = postings[^1].Id;
            Assert.True(await app.WithDbAsync(db => db.Postings.Where(p => p.Sequence > 1).AllAsync(p => p.Id > lastOld)));
        }
    }

    /// <summary>An empty database of this kind, with the settings that point an app at it and options to write it as an older release did.</summary>
    private async Task<(Dictionary<string, string?> Overrides, DbContextOptions<FinsoftDb> Options)> EmptyDatabaseAsync(string dataDirectory)
    {
        var overrides = new Dictionary<string, string?> { ["Finsoft:DataDirectory"] = dataDirectory };
        if (kind != DatabaseKind.Postgres)
        {
            return (overrides, new DbContextOptionsBuilder<FinsoftDb>().UseSqlite($"Data Source={Path.Combine(dataDirectory, "finsoft.db")}").Options);
        }
        var connection = PostgresServer.Instance.ConnectionString(await PostgresServer.Instance.CreateDatabaseAsync());
        overrides["ConnectionStrings:Finsoft"] = connection;
        return (overrides, new DbContextOptionsBuilder<FinsoftDb>().UseNpgsql(connection).Options);
    }

    /// <summary>An id and a time as raw SQL writes them: PostgreSQL's own types, SQLite's text as EF stores it.</summary>
    private object Id(Guid id) => kind == DatabaseKind.Postgres ? id : id.ToString().ToUpperInvariant();

    private object Time(DateTime time) =>
        kind == DatabaseKind.Postgres ? time : time.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture);

    [DbFact]
    public async Task Migrating_twice_changes_nothing()
    {
        await using var app = await TestApp.StartAsync(kind);
        await using var again = app.Sibling();
        var count = await again.WithDbAsync(db => db.Database.SqlQueryRaw<int>("SELECT COUNT(*) AS \"Value\" FROM schema_migrations").SingleAsync());
        Assert.Equal(MigrationRunner.Available(Enum.Parse<DatabaseProvider>(kind.ToString())).Count, count);
    }
}

public sealed class SchemaTestsOnSqlite() : SchemaTests(DatabaseKind.Sqlite);

public sealed class SchemaTestsOnPostgres() : SchemaTests(DatabaseKind.Postgres), IPostgresTests;

/// <summary>The built service as an operator runs it: a separate process, started from another directory.</summary>
public sealed class StartupTests
{
    private static Task<(int Exit, string Stdout, string Stderr)> RunAsync(Dictionary<string, string> environment, params string[] args) =>
        ApiProcess.RunCommandAsync(environment, args);

    [Fact]
    public async Task The_migrate_command_creates_the_schema_from_any_working_directory()
    {
        var data = Scratch.NewPath("migrate");
        var (exit, _, stderr) = await RunAsync(new() { ["Finsoft__DataDirectory"] = data, ["Finsoft__Jwt__SigningKey"] = new string('k', 40) }, "migrate");
        Assert.True(exit == 0, stderr);
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "finsoft.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM schema_migrations";
        Assert.Equal(MigrationRunner.Available(DatabaseProvider.Sqlite).Count, (long)(await command.ExecuteScalarAsync())!);
    }

    [Theory]
    [InlineData("Finsoft__Database__Provider", "Oracle", "must be Sqlite or Postgres")]
    [InlineData("Finsoft__Jwt__SigningKey", "", "SigningKey is required outside Development")]
    [InlineData("Finsoft__Jwt__SigningKey", "short", "at least 32 bytes")]
    [InlineData("Finsoft__Ledger__SealKey", "", "SealKey is required outside Development")]
    [InlineData("Finsoft__Ledger__SealKey", "short-seal-key", "each key must be at least 32 bytes")]
    [InlineData("Finsoft__Ledger__AcceptedSealKeys__0", "short-accepted-key", "each key must be at least 32 bytes")]
    [InlineData("Finsoft__DefaultCurrency", "ABC", "not an ISO 4217 currency")]
    [InlineData("Finsoft__Sms__OutboxFile", "sms-outbox.txt", "refused in Production")]
    [InlineData("Finsoft__Oidc__Providers__acme__Authority", "https://idp.example.com", "Providers:acme:ClientId is required")]
    [InlineData("Finsoft__Oidc__Providers__Acme_Corp__ClientId", "finsoft", "1 to 32 lowercase letters")]
    [InlineData("Finsoft__Accounting__FiscalYearEndMonth", "13", "FiscalYearEndMonth must be a month from 1 to 12")]
    [InlineData("Finsoft__Database__Pooler", "pgpool", "Pooler must be none or pgbouncer-transaction", true)]
    [InlineData("ConnectionStrings__Finsoft", "Host=127.0.0.1;Port=1;Username=nobody;Max Auto Prepare=20", "Max Auto Prepare must be 0 behind PgBouncer", true)]
    [InlineData("ConnectionStrings__FinsoftReadOnly", "Host=127.0.0.1;Port=1", "FinsoftReadOnly names a PostgreSQL replica")]
    [InlineData("ConnectionStrings__FinsoftReadOnly", "Host=127.0.0.1;Port=1;Max Auto Prepare=20", "Max Auto Prepare must be 0 behind PgBouncer", true)]
    [InlineData("Finsoft__Database__ReplicaLagPollMilliseconds", "0", "ReplicaLagPollMilliseconds more than 0", true, "Host=127.0.0.1;Port=1")]
    public async Task Bad_configuration_is_refused_with_one_line_and_a_nonzero_exit(string key, string value, string message, bool behindPgBouncer = false,
        string? replica = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["Finsoft__DataDirectory"] = Scratch.NewPath("bad-config"),
            ["Finsoft__Jwt__SigningKey"] = new string('k', 40),
        };
        if (behindPgBouncer)
        {
            environment["Finsoft__Database__Provider"] = "Postgres";
            environment["ConnectionStrings__Finsoft"] = "Host=127.0.0.1;Port=1;Username=nobody;Timeout=3";
            environment["Finsoft__Database__Pooler"] = "pgbouncer-transaction";
        }
        if (replica is not null)
        {
            environment["ConnectionStrings__FinsoftReadOnly"] = replica;
        }
        environment[key] = value;
        var (exit, _, stderr) = await RunAsync(environment);
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task A_node_without_the_key_that_sealed_the_ledger_head_refuses_to_start_with_one_line()
    {
        var data = Scratch.NewPath("seal-key");
        var (exit, _, stderr) = await RunAsync(new() { ["Finsoft__DataDirectory"] = data, ["Finsoft__Jwt__SigningKey"] = new string('k', 40) }, "migrate");
        Assert.True(exit == 0, stderr);
        (exit, _, stderr) = await RunAsync(new()
        {
            ["Finsoft__DataDirectory"] = data, ["Finsoft__Jwt__SigningKey"] = new string('k', 40), ["Finsoft__Ledger__SealKey"] = new string('z', 40),
        });
        Assert.Equal(2, exit);
        Assert.Contains("which this node does not have", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('z', 40), stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task An_unreachable_database_is_refused_with_one_line()
    {
        var (exit, _, stderr) = await RunAsync(new()
        {
            ["Finsoft__Database__Provider"] = "Postgres",
            ["ConnectionStrings__Finsoft"] = "Host=127.0.0.1;Port=1;Username=nobody;Password=secret-password;Timeout=3",
            ["Finsoft__Jwt__SigningKey"] = new string('k', 40),
        });
        Assert.Equal(2, exit);
        Assert.Contains("database is unreachable", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-password", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
