using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Finsoft.Api.Tests;

/// <summary>SIGTERM under load, on the built service as an operator runs it.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Sigterm_turns_readiness_off_serves_through_the_drain_finishes_what_it_accepted_and_exits_cleanly()
    {
        var data = Scratch.NewDirectory("shutdown");
        var environment = new Dictionary<string, string>
        {
            ["Finsoft__DataDirectory"] = data, ["Finsoft__Database__Provider"] = "Sqlite", ["Finsoft__Jwt__SigningKey"] = new string('s', 48),
            ["Finsoft__Bootstrap__AdminEmail"] = TestApp.AdminEmail, ["Finsoft__Bootstrap__AdminPassword"] = TestApp.AdminPassword,
            ["Finsoft__ShutdownDrainSeconds"] = "2", ["Finsoft__ShutdownTimeoutSeconds"] = "20",
        };
        Guid[] accounts;
        var acknowledged = new ConcurrentDictionary<string, Guid>();
        var notAccepted = new ConcurrentBag<string>(); // keys whose request met a closed or closing connection
        var unexpected = new ConcurrentBag<string>();
        var servedWhileDraining = 0;
        using (var node = new ApiProcess(environment))
        {
            await node.StartAsync();
            using var http = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            var api = new ApiClient(http);
            var admin = await api.AdminAsync();
            var alice = await api.RegisterAsync();
            accounts = [await api.CreateAccountAsync(alice.Token), await api.CreateAccountAsync(alice.Token)];
            await api.DepositAsync(admin.Token, accounts[0], "1000.00");
            await api.DepositAsync(admin.Token, accounts[1], "1000.00");

            var draining = false;
            async Task ClientAsync(int client)
            {
                for (var n = 0; ; n++)
                {
                    var key = $"shutdown-{client}-{n}";
                    var sentWhileDraining = Volatile.Read(ref draining); // sent after readiness was seen off, not merely in flight then
                    try
                    {
                        using var response = await api.TransferAsync(alice.Token, accounts[n % 2], accounts[(n + 1) % 2], "0.01", key);
                        if (response.StatusCode != HttpStatusCode.Created)
                        {
                            unexpected.Add($"{key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                            return;
                        }
                        acknowledged[key] = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();
                        if (sentWhileDraining)
                        {
                            Interlocked.Increment(ref servedWhileDraining);
                        }
                    }
                    catch (HttpRequestException e) when (e.InnerException is SocketException or IOException || e.HttpRequestError is HttpRequestError.ConnectionError)
                    {
                        notAccepted.Add(key); // checked below: nothing may exist under this key
                        return;
                    }
                }
            }
            var clients = Enumerable.Range(0, 8).Select(c => Task.Run(() => ClientAsync(c))).ToArray();
            await Task.Delay(1000);

            node.Terminate();
            using var probe = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
            var readiness = HttpStatusCode.OK;
            for (var deadline = DateTime.UtcNow.AddSeconds(1); readiness != HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline; await Task.Delay(20))
            {
                readiness = (await probe.GetAsync("/health/ready")).StatusCode; // the signal reaches the process in a moment
            }
            Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness);
            Volatile.Write(ref draining, true);
            await Task.Delay(1000); // half the drain delay on: not ready, and still serving
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await probe.GetAsync("/health/ready")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/health")).StatusCode);
            Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            await Task.WhenAll(clients);
        }

        Assert.Empty(unexpected);
        Assert.True(servedWhileDraining > 0, "no transfer sent after readiness turned off was served during the drain delay");
        Assert.True(acknowledged.Count > 50, $"only {acknowledged.Count} transfers before the shutdown");
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(data, "finsoft.db")};Pooling=False"))
        {
            await db.OpenAsync();
            await using var command = db.CreateCommand();
            command.CommandText = "SELECT id FROM transactions WHERE type = 'TRANSFER'";
            var stored = new List<Guid>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    stored.Add(Guid.Parse(reader.GetString(0)));
                }
            }
            // Every acknowledged transfer is there, once; a request that met a closing connection was never accepted.
            Assert.Equal(acknowledged.Values.Order(), stored.Order());
            command.CommandText = "SELECT count(*) FROM idempotency_keys WHERE key IN (" + string.Join(',', notAccepted.Select(k => $"'{k}'")) + ")";
            Assert.Equal(0L, notAccepted.IsEmpty ? 0L : (long)(await command.ExecuteScalarAsync())!);
        }

        using var restarted = new ApiProcess(environment);
        await restarted.StartAsync();
        using var again = new HttpClient { BaseAddress = restarted.BaseAddress };
        var check = new ApiClient(again);
        Assert.True((await check.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
        var adminAgain = await check.AdminAsync();
        var total = 0m;
        foreach (var account in accounts)
        {
            total += decimal.Parse(await check.BalanceAsync(adminAgain.Token, account), System.Globalization.CultureInfo.InvariantCulture);
        }
        Assert.Equal(2000.00m, total);
        Scratch.TryDelete(data);
    }
}
