using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Tests.Infrastructure;

/// <summary>
/// Concurrent keyed transfers and withdrawals between four wallets of one customer, spread over API nodes, while a
/// disruption (a killed process, a crashed or lost database) happens; every request is retried with its key until it
/// has a final answer. <see cref="AssertNothingLostAsync"/> then checks the promise: money conserved, no wallet
/// negative, every balance its opening plus exactly the acknowledged transfers less the completed withdrawals, each
/// acknowledged movement stored once, nothing in flight, the event feed complete, the ledger verified.
/// </summary>
public sealed class KeyedMoneyWorkload(int transfers, int withdrawals, string keyPrefix)
{
    private const long OpeningMinor = 50_000;

    private readonly List<Guid> _accounts = [];
    private readonly ConcurrentDictionary<string, Guid> _withdrawals = new();
    private readonly ConcurrentDictionary<string, (Guid Id, Guid From, Guid To, long Minor)> _acknowledged = new();
    private readonly ConcurrentBag<(long StartedAt, long AnsweredAt)> _writes = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private ApiClient.Session? _user;
    private Guid _destination;
    private int _answered;
    private int _interrupted;
    private int _unavailable;
    private long? _disruptedAt;

    /// <summary>Requests cut off by a dying node: the client could not know whether they committed.</summary>
    public int Interrupted => _interrupted;

    /// <summary>503 answers (each with a Retry-After), while the database could not be reached.</summary>
    public int Unavailable => _unavailable;

    public int Acknowledged => _acknowledged.Count;

    /// <summary>Answers so far; a disruption waits for a number of them so that it lands mid-run.</summary>
    public async Task WaitForAnswersAsync(int count)
    {
        while (Volatile.Read(ref _answered) < count)
        {
            await Task.Delay(5);
        }
    }

    /// <summary>The disruption starts now: <see cref="WriteOutage"/> is measured from here.</summary>
    public void MarkDisruption() => _disruptedAt = _clock.ElapsedTicks;

    /// <summary>From the disruption to the first movement acknowledged for a request sent after it: how long clients could not write.</summary>
    public TimeSpan? WriteOutage =>
        _disruptedAt is { } at && _writes.Where(w => w.StartedAt >= at).Select(w => w.AnsweredAt).DefaultIfEmpty(-1).Min() is var first and >= 0
            ? TimeSpan.FromSeconds((first - at) / (double)Stopwatch.Frequency)
            : null;

    /// <summary>The customer, four wallets of 500.00 and a verified destination for the withdrawals, made through one node.</summary>
    public async Task SetUpAsync(Uri node)
    {
        var setup = new ApiClient(new HttpClient { BaseAddress = node });
        var admin = await setup.AdminAsync();
        _user = await setup.RegisterAsync();
        for (var i = 0; i < 4; i++)
        {
            _accounts.Add(await setup.CreateAccountAsync(_user.Token));
            await setup.DepositAsync(admin.Token, _accounts[^1], "500.00");
        }
        _destination = await setup.VerifiedDestinationAsync(_user.Token);
    }

    /// <summary>Runs every operation to a final answer, sixteen at a time, alongside <paramref name="disruption"/>.</summary>
    public async Task RunAsync(IReadOnlyList<Uri> nodes, Func<Task> disruption)
    {
        var user = _user ?? throw new InvalidOperationException("SetUpAsync first");
        var clients = nodes.Select(n => new ApiClient(new HttpClient { BaseAddress = n, Timeout = TimeSpan.FromSeconds(15) })).ToArray();
        var random = new Random(7);
        var plan = Enumerable.Range(0, transfers).Select(i =>
        {
            var from = random.Next(_accounts.Count);
            var to = (from + 1 + random.Next(_accounts.Count - 1)) % _accounts.Count;
            // Every (transfers / withdrawals)th operation is a withdrawal to the bank instead of a transfer.
            var withdrawal = i % (transfers / withdrawals) == 0;
            return (Index: i, Key: $"{keyPrefix}-{i}", From: _accounts[from], To: withdrawal ? (Guid?)null : _accounts[to], Minor: (long)random.Next(1, 20_000));
        }).ToList();
        var disrupting = Task.Run(disruption);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = timeout.Token }, async (p, ct) =>
        {
            var amount = (p.Minor / 100m).ToString("0.00", CultureInfo.InvariantCulture);
            for (var attempt = 0; ; attempt++)
            {
                var client = clients[(p.Index + attempt) % clients.Length]; // spread over the nodes; a retry goes to the next one
                var startedAt = _clock.ElapsedTicks;
                try
                {
                    using var response = p.To is null
                        ? await client.PostAsync("/api/v1/transactions/withdrawal",
                            new { origin_account_id = p.From, external_destination_account_id = _destination, amount }, user.Token, p.Key)
                        : await client.TransferAsync(user.Token, p.From, p.To.Value, amount, p.Key);
                    if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Accepted)
                    {
                        _writes.Add((startedAt, _clock.ElapsedTicks));
                        var id = (await ApiClient.BodyAsync(response)).GetProperty("id").GetGuid();
                        if (p.To is null)
                        {
                            Assert.Equal(id, _withdrawals.GetOrAdd(p.Key, id));
                        }
                        else
                        {
                            Assert.Equal(id, _acknowledged.GetOrAdd(p.Key, (id, p.From, p.To.Value, p.Minor)).Id);
                        }
                        break;
                    }
                    if (response.StatusCode == HttpStatusCode.BadRequest)
                    {
                        break; // refused for insufficient funds: a final answer, nothing moved
                    }
                    // 409: the same key is still running elsewhere; 503: the database is down. Both mean: retry with the key.
                    Assert.True(response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.ServiceUnavailable,
                        $"{p.Key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a 503 without a Retry-After");
                        Interlocked.Increment(ref _unavailable);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    // The node died under us: the movement may or may not have committed. Retry with the same key.
                    Interlocked.Increment(ref _interrupted);
                }
                await Task.Delay(50 * Math.Min(attempt + 1, 10), ct);
            }
            Interlocked.Increment(ref _answered);
        });
        await disrupting;
    }

    public async Task AssertNothingLostAsync(DbContextOptions<FinsoftDb> dbOptions, Uri node)
    {
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
        Assert.Equal(_withdrawals.Values.Order(), (await db.Transactions.Where(t => t.Type == "WITHDRAWAL").Select(t => t.Id).ToListAsync()).Order());
        Assert.NotEmpty(paidOut);
        var balances = await db.Accounts.AsNoTracking().Where(a => _accounts.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Balance);
        foreach (var account in _accounts)
        {
            var expected = OpeningMinor - _acknowledged.Values.Where(t => t.From == account).Sum(t => t.Minor)
                + _acknowledged.Values.Where(t => t.To == account).Sum(t => t.Minor)
                - paidOut.Where(w => w.OriginAccountId == account).Sum(w => w.Amount);
            Assert.Equal(expected, balances[account]);
            Assert.True(balances[account] >= 0);
        }
        Assert.Equal(OpeningMinor * _accounts.Count, balances.Values.Sum() + paidOut.Sum(w => w.Amount));
        Assert.False(await db.Accounts.AnyAsync(a => _accounts.Contains(a.Id) && a.Held != 0));
        var stored = await db.Transactions.Where(t => t.Type == "TRANSFER").Select(t => t.Id).ToListAsync();
        Assert.Equal(_acknowledged.Values.Select(t => t.Id).Order(), stored.Order());
        // The event feed tells exactly what happened: each acknowledged movement once, nothing for what was not, no gap.
        var events = (await db.Events.AsNoTracking().OrderBy(e => e.Position).ToListAsync())
            .Select(e => (e.Position, e.Type, Id: JsonDocument.Parse(e.Data).RootElement.GetProperty("id").GetGuid())).ToList();
        Assert.Equal(Enumerable.Range(1, events.Count).Select(n => (long)n), events.Select(e => e.Position));
        var expectedEvents = _acknowledged.Values.SelectMany(t => new[] { ("transaction.created", t.Id), ("transaction.completed", t.Id) })
            .Concat(paidOut.SelectMany(w => new[] { ("transaction.created", w.Id), ("withdrawal.sent", w.Id), ("transaction.completed", w.Id) }));
        var deposits = await db.Transactions.Where(t => t.Type == "DEPOSIT").Select(t => t.Id).ToListAsync();
        expectedEvents = expectedEvents.Concat(deposits.SelectMany(d => new[] { ("transaction.created", d), ("transaction.completed", d) }));
        Assert.Equal(expectedEvents.Order(), events.Select(e => (e.Type, e.Id)).Order());
        Assert.True(_acknowledged.Count > transfers / 2, $"only {_acknowledged.Count} transfers went through");
        var report = await new ApiClient(new HttpClient { BaseAddress = node }).VerifyLedgerAsync();
        Assert.True(report.GetProperty("ok").GetBoolean(), report.ToString());
    }
}
