using System.Collections.Concurrent;
using System.Net;
using Finsoft.Api.Tests.Infrastructure;

namespace Finsoft.Api.Tests;

/// <summary>
/// The bank's workload through Debian's PgBouncer in transaction pooling mode, with two API nodes: every server connection
/// serves whichever transaction comes next, so nothing the API does may rely on a session (prepared statements, session
/// locks, settings).
/// </summary>
public sealed class PgBouncerTests : IPostgresTests
{
    [ToolFact("pgbouncer")]
    public async Task Transfers_withdrawals_holds_and_reversals_through_pgbouncer_in_transaction_mode_conserve_money()
    {
        using var pooler = await PgBouncerServer.StartAsync(PostgresServer.Instance.Port, poolSize: 8);
        var database = await PostgresServer.Instance.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Finsoft"] = pooler.ConnectionString(database), ["Finsoft:Database:Pooler"] = "pgbouncer-transaction",
            ["Finsoft:Database:Provider"] = "Postgres",
        };
        try
        {
            // Two nodes starting together: their migrations take turns under a lock that ends with each transaction.
            await using var nodeA = await TestApp.StartAsync(DatabaseKind.Postgres, settings);
            await using var nodeB = nodeA.Sibling();
            var (apiA, apiB) = (nodeA.Api(), nodeB.Api());
            var admin = await apiA.AdminAsync();
            var customers = new[] { await apiA.RegisterAsync(), await apiA.RegisterAsync(), await apiA.RegisterAsync() };
            var wallets = new List<(Guid Id, ApiClient.Session Owner)>();
            foreach (var customer in customers)
            {
                for (var i = 0; i < 2; i++)
                {
                    var wallet = await apiA.CreateAccountAsync(customer.Token);
                    await apiA.DepositAsync(admin.Token, wallet, "500.00");
                    wallets.Add((wallet, customer));
                }
            }
            var destination = await apiA.VerifiedDestinationAsync(customers[0].Token);

            var random = new Random(20261201);
            var plan = Enumerable.Range(0, 200).Select(i =>
            {
                var from = random.Next(wallets.Count);
                var to = (from + 1 + random.Next(wallets.Count - 1)) % wallets.Count;
                return (From: wallets[from], To: wallets[to].Id, Amount: $"{random.Next(1, 2000) / 100m:0.00}", Key: $"pgbouncer-{i}");
            }).ToList();
            var statuses = new ConcurrentBag<HttpStatusCode>();
            // Forty of them sent twice, the second time to the other node: the replay answers what the first did.
            var transfers = plan.Concat(plan.Take(40)).Select(async (t, i) =>
            {
                using var response = await (i % 2 == 0 ? apiA : apiB).TransferAsync(t.From.Owner.Token, t.From.Id, t.To, t.Amount, t.Key);
                statuses.Add(response.StatusCode);
            }).ToList();
            var withdrawals = Enumerable.Range(0, 6).Select(async i =>
            {
                var response = await (i % 2 == 0 ? apiA : apiB).ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/transactions/withdrawal",
                    new { origin_account_id = wallets[0].Id, external_destination_account_id = destination, amount = "5.00" }, customers[0].Token,
                    Guid.NewGuid().ToString());
                return response.GetProperty("id").GetGuid();
            }).ToList();
            await Task.WhenAll(transfers);
            var paid = await Task.WhenAll(withdrawals);
            Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.Conflict, $"{s}"));

            var hold = await apiB.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer",
                new { origin_account_id = wallets[2].Id, destination_account_id = wallets[3].Id, amount = "3.00", hold = true }, customers[1].Token, Guid.NewGuid().ToString());
            await apiA.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/transactions/{hold.GetProperty("id").GetGuid()}/capture", new { }, customers[1].Token,
                Guid.NewGuid().ToString());
            var sent = await apiA.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer",
                new { origin_account_id = wallets[4].Id, destination_account_id = wallets[5].Id, amount = "1.00" }, customers[2].Token, Guid.NewGuid().ToString());
            await apiB.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/v1/transactions/{sent.GetProperty("id").GetGuid()}/reverse", new { }, admin.Token,
                Guid.NewGuid().ToString());
            foreach (var withdrawal in paid)
            {
                Assert.Equal("COMPLETED", (await apiA.WaitForStatusAsync(customers[0].Token, withdrawal, "COMPLETED", "FAILED")).Status);
            }

            // Money is conserved: what was deposited, less what the bank paid out.
            var total = 0m;
            foreach (var (id, owner) in wallets)
            {
                total += decimal.Parse(await apiB.BalanceAsync(owner.Token, id), System.Globalization.CultureInfo.InvariantCulture);
            }
            Assert.Equal(6 * 500m - 6 * 5m, total);
            var verify = await apiB.VerifyLedgerAsync();
            Assert.True(verify.GetProperty("ok").GetBoolean(), verify.GetRawText());
        }
        finally
        {
            await PostgresServer.Instance.DropDatabaseAsync(database);
        }
    }
}
