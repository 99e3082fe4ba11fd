using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

// Clients sending keyed transfers through the load balancer until a stop file appears, as a careful client does:
// a 502/503/504, a 409 for a key still in progress or a broken connection is retried with the same Idempotency-Key;
// anything else unexpected is an error. Then the checks: every acknowledged transfer exists, completed, under its own
// id; the money is all there; the ledger verifies. Prints one JSON line; exits 1 if anything is wrong.
var options = args.Chunk(2).ToDictionary(p => p[0].TrimStart('-'), p => p[1]);
var url = options.GetValueOrDefault("url", "http://127.0.0.1:8080");
var stopFile = options["stop-file"];
var clientCount = int.Parse(options.GetValueOrDefault("clients", "16"), CultureInfo.InvariantCulture);
using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
var drill = new Drill(http);

var admin = await drill.TokenAsync(options.GetValueOrDefault("admin-email", "admin@drill.test"), options["admin-password"]);
// Monitoring stays on, every rule evaluated, with velocity limits above the drill's own rate so none holds a transfer.
await drill.SendAsync(HttpMethod.Put, "/api/v1/risk/rules", new
{
    enabled = true, velocity = new { hour_count = 1_000_000, day_count = 1_000_000, day_amount = new Dictionary<string, string> { ["*"] = "1000000000.00" } },
}, admin, null);
var owners = new List<(string Token, Guid[] Accounts)>();
for (var u = 0; u < 4; u++)
{
    var email = $"drill-{u}-{Guid.NewGuid():N}@example.test";
    await drill.SendAsync(HttpMethod.Post, "/api/v1/users", new { full_name = $"Drill {u}", email, password = "drill-password-0123" }, null, null);
    var token = await drill.TokenAsync(email, "drill-password-0123");
    var accounts = new Guid[4];
    for (var a = 0; a < accounts.Length; a++)
    {
        accounts[a] = (await drill.SendAsync(HttpMethod.Post, "/api/v1/accounts", new { }, token, null)).GetProperty("id").GetGuid();
        await drill.SendAsync(HttpMethod.Post, "/api/v1/transactions/deposit", new { account_id = accounts[a], amount = "1000.00" }, admin, $"deposit-{accounts[a]}");
    }
    owners.Add((token, accounts));
}
Console.Error.WriteLine("drill: ready, sending transfers");
File.WriteAllText(stopFile + ".ready", "");

var acknowledged = new ConcurrentDictionary<string, Guid>();
var clients = Enumerable.Range(0, clientCount).Select(c => Task.Run(async () =>
{
    var random = new Random(c);
    for (var n = 0; !File.Exists(stopFile) && drill.Errors.IsEmpty; n++)
    {
        var (token, accounts) = owners[c % owners.Count];
        var from = accounts[random.Next(accounts.Length)];
        var to = accounts[(Array.IndexOf(accounts, from) + 1 + random.Next(accounts.Length - 1)) % accounts.Length];
        var key = $"drill-{c}-{n}";
        try
        {
            var body = await drill.SendAsync(HttpMethod.Post, "/api/v1/transactions/transfer",
                new { origin_account_id = from, destination_account_id = to, amount = (random.Next(1, 500) / 100m).ToString("F2", CultureInfo.InvariantCulture) }, token, key);
            acknowledged[key] = body.GetProperty("id").GetGuid();
        }
        catch (InvalidOperationException)
        {
            return; // recorded in drill.Errors; the run fails
        }
    }
})).ToArray();
await Task.WhenAll(clients);

// The checks, through the load balancer too.
var problems = new List<string>(drill.Errors);
foreach (var (key, id) in acknowledged)
{
    var owner = owners[int.Parse(key.Split('-')[1], CultureInfo.InvariantCulture) % owners.Count];
    var status = (await drill.SendAsync(HttpMethod.Get, $"/api/v1/transactions/{id}", null, owner.Token, null)).GetProperty("status").GetString();
    if (status != "COMPLETED")
    {
        problems.Add($"acknowledged transfer {id} ({key}) is {status}");
    }
}
var total = 0m;
foreach (var (token, accounts) in owners)
{
    foreach (var account in accounts)
    {
        total += decimal.Parse((await drill.SendAsync(HttpMethod.Get, $"/api/v1/accounts/{account}", null, token, null)).GetProperty("balance").GetString()!, CultureInfo.InvariantCulture);
    }
}
if (total != owners.Count * 4 * 1000m)
{
    problems.Add($"the wallets hold {total}, not {owners.Count * 4 * 1000m}");
}
if (!(await drill.SendAsync(HttpMethod.Get, "/api/v1/ledger/verify", null, admin, null)).GetProperty("ok").GetBoolean())
{
    problems.Add("the ledger does not verify");
}
Console.WriteLine(JsonSerializer.Serialize(new
{
    acknowledged = acknowledged.Count, distinct_ids = acknowledged.Values.Distinct().Count(),
    retried = drill.Retried.ToDictionary(r => r.Key, r => r.Value), longest_retry_ms = drill.LongestRetryMilliseconds, problems,
}));
return problems.Count == 0 && acknowledged.Values.Distinct().Count() == acknowledged.Count ? 0 : 1;

internal sealed class Drill(HttpClient http)
{
    public ConcurrentDictionary<string, int> Retried { get; } = new();

    public ConcurrentBag<string> Errors { get; } = [];

    public long LongestRetryMilliseconds;

    public async Task<string> TokenAsync(string email, string password) =>
        (await SendAsync(HttpMethod.Post, "/api/v1/auth/login", new { email, password }, null, null)).GetProperty("token").GetString()!;

    /// <summary>Sends until the API answers 2xx; retries what a node going away causes, with the same key; records anything else.</summary>
    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, string? token, string? key)
    {
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            string retry;
            try
            {
                using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
                if (token is not null)
                {
                    request.Headers.Authorization = new("Bearer", token);
                }
                if (key is not null)
                {
                    request.Headers.Add("Idempotency-Key", key);
                }
                using var response = await http.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                if (response.IsSuccessStatusCode)
                {
                    if (attempt > 1)
                    {
                        var waited = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        long seen;
                        while ((seen = Interlocked.Read(ref LongestRetryMilliseconds)) < waited && Interlocked.CompareExchange(ref LongestRetryMilliseconds, waited, seen) != seen)
                        {
                        }
                    }
                    return JsonDocument.Parse(text).RootElement.Clone();
                }
                var status = (int)response.StatusCode;
                if (status is not (502 or 503 or 504) && !(status == 409 && key is not null && text.Contains("still being processed", StringComparison.Ordinal)))
                {
                    Errors.Add($"{method} {path} ({key}): {status} {text}");
                    throw new InvalidOperationException($"{method} {path}: {status} {text}");
                }
                retry = status.ToString(CultureInfo.InvariantCulture);
            }
            catch (HttpRequestException e)
            {
                retry = "connection: " + e.HttpRequestError;
            }
            Retried.AddOrUpdate(retry, 1, (_, n) => n + 1);
            if (attempt == 200)
            {
                Errors.Add($"{method} {path} ({key}): gave up after {attempt} attempts");
                throw new InvalidOperationException("gave up");
            }
            await Task.Delay(Math.Min(50 * attempt, 500));
        }
    }
}
