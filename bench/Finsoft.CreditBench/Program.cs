using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Finsoft.Credit;

// Credit scoring, quality and speed. Quality: the shipped model on a fresh synthetic population it was not trained on
// (another seed), and a model trained here from the shipped data set, each with AUC and KS. Speed: scores per second in
// process (the scorecard alone), then over HTTP against the running API (POST /credit/scores: history read from the
// journal, the score stored), with an authenticated GET of the product catalogue as the reference measured in the same run.
var options = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(x => x.a[2..], x => args.ElementAtOrDefault(x.i + 1) ?? "", StringComparer.Ordinal);
var model = Scorecard.Load(options["model"]);
var seconds = int.Parse(options.GetValueOrDefault("seconds", "10"), CultureInfo.InvariantCulture);
var clients = int.Parse(options.GetValueOrDefault("clients", "16"), CultureInfo.InvariantCulture);

if (!options.ContainsKey("http-only"))
{
    Quality(model);
}
if (!options.TryGetValue("url", out var url))
{
    return;
}
using var http = new HttpClient { BaseAddress = new Uri(url) };
var admin = await LoginAsync(http, options["admin-email"], options["admin-password"]);
var tokens = new List<string>();
for (var i = 0; i < clients; i++)
{
    // Each client a customer with a little history: a wallet, two deposits and a record.
    var email = $"bench-{Guid.NewGuid():N}@bench.test";
    (await http.PostAsJsonAsync("/api/v1/users", new { full_name = "Bench Customer", email, password = "bench-password-1234" })).EnsureSuccessStatusCode();
    var token = await LoginAsync(http, email, "bench-password-1234");
    var wallet = (await SendAsync(http, HttpMethod.Post, "/api/v1/accounts", new { }, token)).GetProperty("id").GetGuid();
    for (var d = 0; d < 2; d++)
    {
        await SendAsync(http, HttpMethod.Post, "/api/v1/transactions/deposit", new { account_id = wallet, amount = "15000.00" }, admin);
    }
    await SendAsync(http, HttpMethod.Post, "/api/v1/records",
        new { amount = "20000.00", currency = "MXN", type = "income", category = "salary", date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }, token);
    tokens.Add(token);
}
var application = new
{
    application = new { monthly_income = "20000.00", monthly_expenses = "8000.00", employment_months = 48, requested_amount = "30000.00", term_months = 12, purpose = "car" },
};
var reference = await RunAsync("GET /credit/products (reference)", token => SendAsync(http, HttpMethod.Get, "/api/v1/credit/products", null, token));
var scoring = await RunAsync("POST /credit/scores", token => SendAsync(http, HttpMethod.Post, "/api/v1/credit/scores", application, token));
Console.WriteLine($"scoring costs {reference / scoring:F1}× the reference request");

async Task<double> RunAsync(string name, Func<string, Task<JsonElement>> request)
{
    var done = 0L;
    var latencies = new List<double>[clients];
    var until = Stopwatch.StartNew();
    await Task.WhenAll(tokens.Select(async (token, n) =>
    {
        latencies[n] = [];
        while (until.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            var started = Stopwatch.GetTimestamp();
            await request(token);
            latencies[n].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Interlocked.Increment(ref done);
        }
    }));
    var all = latencies.SelectMany(l => l).Order().ToList();
    var rate = done / until.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: {clients} clients, {rate:N0}/s, p50 {all[all.Count / 2]:F1} ms, p99 {all[(int)(all.Count * 0.99)]:F1} ms"));
    return rate;
}

static async Task<string> LoginAsync(HttpClient http, string email, string password)
{
    var response = await http.PostAsJsonAsync("/api/v1/auth/login", new { email, password });
    response.EnsureSuccessStatusCode();
    return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
}

static async Task<JsonElement> SendAsync(HttpClient http, HttpMethod method, string path, object? body, string token)
{
    using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    using var response = await http.SendAsync(request);
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode)
    {
        throw new HttpRequestException($"{method} {path}: {(int)response.StatusCode} {text}");
    }
    return JsonDocument.Parse(text).RootElement.Clone();
}

static void Quality(Scorecard model)
{
    var fresh = SyntheticApplicants.Generate(20_000, 9_001).ToList();
    var scored = fresh.Select(r => (model.Score(r.Profile).Score, r.Defaulted)).ToList();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"shipped model {model.ModelVersion}: trained hold-out AUC {model.Validation.Auc:F3} KS {model.Validation.Ks:F3}; fresh population (seed 9001, 20,000): AUC {Discrimination.Auc(scored):F3} KS {Discrimination.Ks(scored):F3}"));
    var training = Stopwatch.StartNew();
    var retrained = ScorecardTrainer.Train(SyntheticApplicants.Generate(60_000, 4004).ToList(), "bench", "", DateTime.UtcNow);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"trained here (seed 4004, 60,000 rows) in {training.ElapsedMilliseconds:N0} ms: hold-out AUC {retrained.Validation.Auc:F3} KS {retrained.Validation.Ks:F3}"));

    var profiles = fresh.Select(r => r.Profile).ToArray();
    var clock = Stopwatch.StartNew();
    long inProcess = 0;
    while (clock.Elapsed < TimeSpan.FromSeconds(3))
    {
        foreach (var profile in profiles)
        {
            model.Score(profile);
        }
        inProcess += profiles.Length;
    }
    Console.WriteLine($"in process, one thread: {inProcess / clock.Elapsed.TotalSeconds:N0} scores/s");
}
