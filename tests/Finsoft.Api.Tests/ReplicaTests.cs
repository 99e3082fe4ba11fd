using System.Net;
using Finsoft.Api.Tests.Infrastructure;
using Npgsql;

namespace Finsoft.Api.Tests;

/// <summary>
/// Reads that may be slightly stale go to a real streaming replica (PostgreSQL's own, from the installed binaries) and
/// say so; a replica further behind than allowed, or gone, sends them back to the primary. Money and read-your-write
/// reads never go there.
/// </summary>
public sealed class ReplicaTests : IPostgresTests
{
    private const string Freshness = "X-Data-Freshness";

    [DbFact]
    public async Task Stale_tolerant_reads_go_to_a_fresh_replica_and_back_to_the_primary_when_it_lags_or_dies()
    {
        var (primary, standby) = PostgresServer.StartPrimaryAndStandby(synchronous: false);
        using var _ = primary;
        using var __ = standby;
        var database = await primary.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Finsoft"] = primary.ConnectionString(database),
            ["ConnectionStrings:FinsoftReadOnly"] = standby.ConnectionString(database),
            ["Finsoft:Database:ReplicaMaxLagMilliseconds"] = "600000",
            ["Finsoft:Database:ReplicaLagPollMilliseconds"] = "100",
        };
        // Two nodes that differ only in the lag they accept: ten minutes, and a third of a second.
        await using var tolerant = await TestApp.StartAsync(DatabaseKind.Postgres, settings);
        await using var strict = tolerant.Sibling(new Dictionary<string, string?> { ["Finsoft:Database:ReplicaMaxLagMilliseconds"] = "300" });
        var (api, strictApi) = (tolerant.Api(), strict.Api());
        var admin = await api.AdminAsync();
        var customer = await api.RegisterAsync();
        var wallet = await api.CreateAccountAsync(customer.Token);
        await api.DepositAsync(admin.Token, wallet, "100.00");
        var history = $"/api/v1/accounts/{wallet}/transactions";

        // Caught up: the list, a report and the audit trail come from the replica, and say how far behind it is.
        var (source, lines) = await UntilAsync(api, history, customer.Token, (s, n) => s.StartsWith("replica; lag_ms=", StringComparison.Ordinal) && n == 1);
        Assert.Matches(@"^replica; lag_ms=\d+$", source);
        foreach (var report in new[] { "/api/v1/reports/trial-balance", "/api/v1/admin/audit", "/api/v1/analytics/transactions" })
        {
            using var response = await api.GetAsync(report, admin.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("replica; ", response.Headers.GetValues(Freshness).Single(), StringComparison.Ordinal);
        }

        // The replica stops replaying. Money still moves (on the primary), and reading one's own write finds it there.
        await using (var connection = new NpgsqlConnection(standby.ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await new NpgsqlCommand("SELECT pg_wal_replay_pause()", connection).ExecuteNonQueryAsync();
        }
        var deposit = (await api.DepositAsync(admin.Token, wallet, "200.00")).GetProperty("id").GetGuid();
        using (var own = await api.GetAsync($"/api/v1/transactions/{deposit}", admin.Token))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            Assert.False(own.Headers.Contains(Freshness));
        }
        // The strict node falls back to the primary and sees the deposit; the tolerant one still reads the replica,
        // shows it as it stood, and says how old that is.
        (source, lines) = await UntilAsync(strictApi, history, customer.Token, (s, _) => s == "primary");
        Assert.Equal(2, lines);
        (source, lines) = await UntilAsync(api, history, customer.Token, (s, _) => LagOf(s) > 300);
        Assert.Equal(1, lines);

        // Replaying again, the replica catches up and both nodes read it.
        await using (var connection = new NpgsqlConnection(standby.ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await new NpgsqlCommand("SELECT pg_wal_replay_resume()", connection).ExecuteNonQueryAsync();
        }
        await UntilAsync(api, history, customer.Token, (s, n) => s.StartsWith("replica; ", StringComparison.Ordinal) && n == 2);
        await UntilAsync(strictApi, history, customer.Token, (s, n) => s.StartsWith("replica; ", StringComparison.Ordinal) && n == 2);

        // The replica's server is lost: reads go back to the primary by themselves.
        standby.Kill();
        (source, lines) = await UntilAsync(api, history, customer.Token, (s, _) => s == "primary");
        Assert.Equal(2, lines);
    }

    private static long LagOf(string freshness) =>
        freshness.StartsWith("replica; lag_ms=", StringComparison.Ordinal) ? long.Parse(freshness["replica; lag_ms=".Length..], System.Globalization.CultureInfo.InvariantCulture) : -1;

    /// <summary>
    /// Reads the list until its freshness and length satisfy <paramref name="done"/>. While the lost replica is still
    /// believed usable, a read may meet it and answer 503 with Retry-After: the client retries, as with any 503. A replica
    /// that has not yet replayed the wallet does not know it (404), as it says.
    /// </summary>
    private static async Task<(string Source, int Lines)> UntilAsync(ApiClient api, string path, string token, Func<string, int, bool> done)
    {
        var seen = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            using var response = await api.GetAsync(path, token);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Assert.NotNull(response.Headers.RetryAfter);
                seen.Add("503");
            }
            else
            {
                var source = response.Headers.TryGetValues(Freshness, out var values) ? values.Single() : "(none)";
                if (response.StatusCode == HttpStatusCode.NotFound && source.StartsWith("replica; ", StringComparison.Ordinal))
                {
                    seen.Add("404 from a replica that has not replayed the wallet yet");
                    await Task.Delay(100);
                    continue;
                }
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var lines = (await ApiClient.BodyAsync(response)).GetArrayLength();
                if (done(source, lines))
                {
                    return (source, lines);
                }
                seen.Add($"{source} {lines}");
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"never reached; last answers: {string.Join(" | ", seen.TakeLast(5))}");
    }
}
