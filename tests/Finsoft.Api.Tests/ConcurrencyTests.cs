using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Tests;

public abstract class ConcurrencyTests(DatabaseKind kind)
{
    private const int Transfers = 400;
    private const long OpeningMinor = 100_000; // 1000.00 each

    [DbFact]
    public async Task Hundreds_of_concurrent_transfers_and_replays_on_two_nodes_conserve_money()
    {
        await using var nodeA = await TestApp.StartAsync(kind);
        await using var nodeB = nodeA.Sibling();
        var api = nodeA.Api();
        var admin = await api.AdminAsync();
        var owners = new[] { await api.RegisterAsync(), await api.RegisterAsync() };
        var accounts = new List<(Guid Id, ApiClient.Session Owner)>();
        foreach (var owner in owners)
        {
            for (var i = 0; i < 2; i++)
            {
                var id = await api.CreateAccountAsync(owner.Token);
                await api.DepositAsync(admin.Token, id, "1000.00");
                accounts.Add((id, owner));
            }
        }

        var random = new Random(20261121);
        var plan = Enumerable.Range(0, Transfers).Select(i =>
        {
            var from = accounts[random.Next(accounts.Count)];
            var to = accounts[random.Next(accounts.Count)];
            while (to.Id == from.Id)
            {
                to = accounts[random.Next(accounts.Count)];
            }
            return (Key: $"t-{i}", From: from, To: to.Id, Minor: (long)random.Next(1, 40_000), Replays: i % 5 == 0 ? 2 : 1);
        }).ToList();

        var clients = new[] { nodeA.Api(), nodeB.Api() };
        var succeeded = new ConcurrentDictionary<string, (Guid TransactionId, Guid From, Guid To, long Minor)>();
        var statuses = new ConcurrentBag<HttpStatusCode>();
        var failures = new ConcurrentBag<string>();
        var sends = plan.SelectMany(p => Enumerable.Range(0, p.Replays).Select(r => (Plan: p, Client: clients[(p.Key.GetHashCode(StringComparison.Ordinal) + r) & 1])))
            .OrderBy(_ => random.Next()).ToList();
        await Parallel.ForEachAsync(sends, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (send, _) =>
        {
            var p = send.Plan;
            var amount = (p.Minor / 100m).ToString("0.00", CultureInfo.InvariantCulture);
            using var response = await send.Client.TransferAsync(p.From.Owner.Token, p.From.Id, p.To, amount, p.Key);
            statuses.Add(response.StatusCode);
            if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.BadRequest or HttpStatusCode.Conflict))
            {
                failures.Add($"{p.Key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            if (response.StatusCode == HttpStatusCode.Created)
            {
                var id = (await ApiClient.BodyAsync(response)).GetProperty("id").GetGuid();
                var recorded = succeeded.GetOrAdd(p.Key, (id, p.From.Id, p.To, p.Minor));
                Assert.Equal(recorded.TransactionId, id); // a replay answers with the same transaction
            }
        });

        Assert.True(failures.IsEmpty, string.Join('\n', failures) + "\nServer log:\n" + nodeA.ServerLog.Text + nodeB.ServerLog.Text);
        Assert.Contains(HttpStatusCode.BadRequest, statuses); // the plan overdraws on purpose

        var stored = await nodeA.WithDbAsync(db => db.Accounts.AsNoTracking().Where(a => a.Kind == "wallet").ToDictionaryAsync(a => a.Id, a => a.Balance));
        foreach (var (id, _) in accounts)
        {
            var expected = OpeningMinor - succeeded.Values.Where(s => s.From == id).Sum(s => s.Minor) + succeeded.Values.Where(s => s.To == id).Sum(s => s.Minor);
            Assert.True(expected == stored[id], $"account {id}: expected {expected}, stored {stored[id]}\n{nodeA.ServerLog.Text}{nodeB.ServerLog.Text}");
            Assert.True(stored[id] >= 0);
        }
        Assert.Equal(OpeningMinor * accounts.Count, stored.Values.Sum());
        var transferRows = await nodeA.WithDbAsync(db => db.Transactions.CountAsync(t => t.Type == "TRANSFER"));
        Assert.True(succeeded.Count == transferRows, $"{succeeded.Count} acknowledged, {transferRows} stored\n{nodeA.ServerLog.Text}{nodeB.ServerLog.Text}"); // every acknowledged transfer exists exactly once, and nothing else does
        var report = await api.VerifyLedgerAsync();
        Assert.True(report.GetProperty("ok").GetBoolean(), report.ToString());
    }

    [DbFact]
    public async Task Concurrent_drains_of_one_account_never_overdraw_it()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var user = await api.RegisterAsync();
        var source = await api.CreateAccountAsync(user.Token);
        var sink = await api.CreateAccountAsync(user.Token);
        await api.DepositAsync(admin.Token, source, "10.00");
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var response = await api.TransferAsync(user.Token, source, sink, "1.00");
            return response.StatusCode;
        }));
        Assert.Equal(10, results.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(40, results.Count(s => s == HttpStatusCode.BadRequest));
        Assert.Equal("0.00", await api.BalanceAsync(user.Token, source));
        Assert.Equal("10.00", await api.BalanceAsync(user.Token, sink));
    }
}

public sealed class ConcurrencyTestsOnSqlite() : ConcurrencyTests(DatabaseKind.Sqlite);

public sealed class ConcurrencyTestsOnPostgres() : ConcurrencyTests(DatabaseKind.Postgres), IPostgresTests;
