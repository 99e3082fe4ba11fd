using System.Data.Common;
using System.Net;
using System.Text;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Tests;

/// <summary>Sensitive fields are encrypted at rest: the raw database (every column of every table, and SQLite's files) holds no plain value.</summary>
public abstract class DataProtectionTests(DatabaseKind kind)
{
    [DbFact]
    public async Task The_raw_database_holds_no_plain_account_number_cuit_or_phone()
    {
        var world = await TwoCustomers.StartAsync(kind, "50.00");
        await using var app = world.App;
        var api = world.Api;
        var clabe = Finsoft.Ledger.Clabe.Create("014", "180", "65501234567").Value;
        const string Cuit = "27287654311";
        const string Phone = "+5215512345678";
        var destination = (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/destination-accounts",
            new { account_number = clabe, friendly_name = "Savings", holder_name = "Alice" }, world.Alice.Token)).GetProperty("id").GetGuid();
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/destination-accounts/{destination}/verify", new { }, world.Alice.Token);
        var withdrawal = (await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/transactions/withdrawal",
            new { origin_account_id = world.AliceAccount, external_destination_account_id = destination, amount = "5.00" }, world.Alice.Token))
            .GetProperty("id").GetGuid();
        Assert.Equal("COMPLETED", (await api.WaitForStatusAsync(world.Alice.Token, withdrawal, "COMPLETED", "FAILED")).Status);
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/users/me/profile", new { cuit = Cuit, phone = Phone }, world.Alice.Token);

        // The API gives them back to their owner.
        var shown = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/destination-accounts/{destination}", token: world.Alice.Token);
        Assert.Equal(clabe, shown.GetProperty("account_number").GetString());
        // The same account number twice is still a duplicate (found by keyed hash).
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/destination-accounts",
            new { account_number = clabe, friendly_name = "Again", holder_name = "Alice" }, world.Alice.Token), HttpStatusCode.Conflict);

        var dump = await app.WithDbAsync(DumpAsync);
        Assert.Contains(world.AliceAccount.ToString(), dump, StringComparison.OrdinalIgnoreCase); // the dump did read the tables
        foreach (var secret in new[] { clabe, Cuit, Phone, Phone[1..], "28765431" })
        {
            Assert.DoesNotContain(secret, dump, StringComparison.Ordinal);
        }
        if (kind == DatabaseKind.Sqlite)
        {
            foreach (var file in Directory.GetFiles(app.DataDirectory, "finsoft.db*"))
            {
                var bytes = Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file));
                Assert.DoesNotContain(clabe, bytes, StringComparison.Ordinal);
                Assert.DoesNotContain(Cuit, bytes, StringComparison.Ordinal);
                Assert.DoesNotContain(Phone, bytes, StringComparison.Ordinal);
            }
        }
    }

    /// <summary>Every value of every table the model knows, as text.</summary>
    private static async Task<string> DumpAsync(Microsoft.EntityFrameworkCore.Infrastructure.DatabaseFacade database, IEnumerable<string> tables)
    {
        var text = new StringBuilder();
        var connection = database.GetDbConnection();
        await database.OpenConnectionAsync();
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {table}";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    text.Append(reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('|');
                }
                text.AppendLine();
            }
        }
        return text.ToString();
    }

    internal static Task<string> DumpAsync(Finsoft.Api.Infrastructure.Persistence.FinsoftDb db) =>
        DumpAsync(db.Database, db.Model.GetEntityTypes().Select(e => e.GetTableName()!).Distinct());
}

public sealed class DataProtectionTestsOnSqlite() : DataProtectionTests(DatabaseKind.Sqlite);

public sealed class DataProtectionTestsOnPostgres() : DataProtectionTests(DatabaseKind.Postgres), IPostgresTests;
