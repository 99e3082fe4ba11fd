using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

// Drives Finsoft over HTTP for a fixed time per phase and prints one CSV line per phase:
// target,workload,clients,operations_per_s,p50_ms,p99_ms,errors,api_peak_rss_mib,api_cpu_us_per_operation
// Workloads: uniform (transfers between random wallets), hot (every transfer into one wallet), batch
// (1,000 transfers a request; an operation is one transfer), deposit (admin deposits), capture (a hold
// then its capture; an operation is one capture), and two references that move no money: health
// (GET /health, no token) and me (GET /auth/me: a token and its session check). --monitoring on (the default)
// keeps transaction monitoring on with velocity limits above this load's own rate, so every rule is evaluated on
// every movement and none holds one for review; --monitoring off switches it off, to measure what it costs.
var options = Options.Parse(args);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
{
    BaseAddress = new Uri(options.Url), Timeout = TimeSpan.FromSeconds(30),
};
var world = await World.CreateAsync(http, options);
Console.Error.WriteLine($"bench: {world.Users.Count} users, {world.Users.Sum(u => u.Accounts.Length)} funded accounts, hot account {world.Hot}");
if (options.WarmupSeconds > 0)
{
    // A fresh process spends its first tens of seconds compiling (tiered JIT, with only two cores to share):
    // unmeasured traffic of every kind first, so the phases measure the service as it runs for hours.
    foreach (var workload in new[] { "uniform", "batch", "deposit", "capture" })
    {
        await Phase.RunAsync(http, world, workload, workload == "batch" ? options.BatchClients : 16, options with { Seconds = options.WarmupSeconds / 4 + 1 });
    }
}
Console.Error.WriteLine("bench: warmed up, measuring");
foreach (var workload in options.Workloads)
{
    foreach (var clients in options.Clients)
    {
        var result = await Phase.RunAsync(http, world, workload, clients, options);
        Console.WriteLine(string.Join(',', options.Target, workload, clients, result.PerSecond.ToString("F0", CultureInfo.InvariantCulture),
            result.P50.ToString("F2", CultureInfo.InvariantCulture), result.P99.ToString("F2", CultureInfo.InvariantCulture), result.Errors, PeakRssMib(options.ApiPids[0]),
            result.CpuMicrosPerOperation.ToString("F0", CultureInfo.InvariantCulture)));
    }
}
if (options.BatchSeconds > 0)
{
    var batch = await Phase.RunAsync(http, world, "batch", options.BatchClients, options with { Seconds = options.BatchSeconds });
    Console.WriteLine(string.Join(',', options.Target, "batch", options.BatchClients, batch.PerSecond.ToString("F0", CultureInfo.InvariantCulture),
        batch.P50.ToString("F2", CultureInfo.InvariantCulture), batch.P99.ToString("F2", CultureInfo.InvariantCulture), batch.Errors, PeakRssMib(options.ApiPids[0]),
        batch.CpuMicrosPerOperation.ToString("F0", CultureInfo.InvariantCulture)));
}

static string PeakRssMib(int pid)
{
    var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return line is null ? "?" : (long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).ToString(CultureInfo.InvariantCulture);
}

internal sealed record Options(string Url, string Target, int[] Clients, string[] Workloads, int Seconds, int BatchSeconds, int BatchClients, int[] ApiPids,
    string AdminEmail, string AdminPassword, int WarmupSeconds, bool Monitoring)
{
    public static Options Parse(string[] args)
    {
        var map = args.Chunk(2).ToDictionary(p => p[0].TrimStart('-'), p => p[1]);
        string Get(string key, string fallback) => map.GetValueOrDefault(key, fallback);
        return new Options(Get("url", "http://127.0.0.1:5080"), Get("target", "postgres"),
            Get("clients", "1,16,64").Split(',').Select(int.Parse).ToArray(), Get("workloads", "uniform,hot").Split(','),
            int.Parse(Get("seconds", "10"), CultureInfo.InvariantCulture), int.Parse(Get("batch-seconds", "0"), CultureInfo.InvariantCulture),
            int.Parse(Get("batch-clients", "2"), CultureInfo.InvariantCulture), Get("api-pid", "0").Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray(),
            Get("admin-email", "admin@bench.test"), Get("admin-password", "bench-operator-secret-1"),
            int.Parse(Get("warmup-seconds", "20"), CultureInfo.InvariantCulture), Get("monitoring", "on") != "off");
    }
}

internal sealed record User(string Token, Guid[] Accounts);

internal sealed record World(IReadOnlyList<User> Users, Guid[] AllAccounts, Guid Hot, string AdminToken)
{
    private const int UserCount = 64;
    private const int AccountsPerUser = 8;

    public static async Task<World> CreateAsync(HttpClient http, Options options)
    {
        var admin = await LoginAsync(http, options.AdminEmail, options.AdminPassword);
        object rules = options.Monitoring
            ? new { enabled = true, velocity = new { hour_count = 1_000_000, day_count = 1_000_000, day_amount = new Dictionary<string, string> { ["*"] = "1000000000.00" } } }
            : new { enabled = false };
        try
        {
            await SendAsync(http, HttpMethod.Put, "/api/v1/risk/rules", rules, admin);
        }
        catch (InvalidOperationException e) when (e.Message.Contains(": 404 ", StringComparison.Ordinal))
        {
            // An older build (BENCH_API_SOURCE) without transaction monitoring.
        }
        var users = await Task.WhenAll(Enumerable.Range(0, UserCount + 1).Select(async i =>
        {
            var email = $"bench-{Guid.NewGuid():N}@bench.test";
            (await http.PostAsJsonAsync("/api/v1/users", new { full_name = $"Bench {i}", email, password = "bench-password-123" })).EnsureSuccessStatusCode();
            var token = await LoginAsync(http, email, "bench-password-123");
            var accounts = new Guid[AccountsPerUser];
            for (var a = 0; a < accounts.Length; a++)
            {
                var created = await SendAsync(http, HttpMethod.Post, "/api/v1/accounts", new { currency = "MXN" }, token);
                accounts[a] = created.GetProperty("id").GetGuid();
                await SendAsync(http, HttpMethod.Post, "/api/v1/transactions/deposit", new { account_id = accounts[a], amount = "1000000.00" }, admin);
            }
            return new User(token, accounts);
        }));
        var payers = users[..UserCount];
        return new World(payers, payers.SelectMany(u => u.Accounts).ToArray(), users[UserCount].Accounts[0], admin);
    }

    private static async Task<string> LoginAsync(HttpClient http, string email, string password) =>
        (await SendAsync(http, HttpMethod.Post, "/api/v1/auth/login", new { email, password }, null)).GetProperty("token").GetString()!;

    public static async Task<JsonElement> SendAsync(HttpClient http, HttpMethod method, string path, object body, string? token)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? JsonDocument.Parse(text).RootElement.Clone() : throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
    }
}

internal sealed record PhaseResult(double PerSecond, double P50, double P99, long Errors, double CpuMicrosPerOperation);

internal static class Phase
{
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(2);

    /// <summary>Each client sends one request at a time, as fast as answers come; only the measured window counts.</summary>
    public static async Task<PhaseResult> RunAsync(HttpClient http, World world, string workload, int clients, Options options)
    {
        var start = Stopwatch.GetTimestamp() + (long)(Warmup.TotalSeconds * Stopwatch.Frequency);
        var end = start + (long)options.Seconds * Stopwatch.Frequency;
        // The API processes' CPU time over the measured window only (user + system, from /proc); PostgreSQL's and the machine's beside it.
        var cpuAtStart = Task.Run(async () =>
        {
            await Task.Delay(Warmup);
            return CpuSample.Take(options.ApiPids);
        });
        var perClient = await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(() => ClientAsync(http, world, workload, c, start, end))));
        var used = CpuSample.Take(options.ApiPids).Since(await cpuAtStart);
        var cpu = used.ApiTicks.Sum();
        var latencies = perClient.SelectMany(r => r.Latencies).Order().ToArray();
        var transfers = perClient.Sum(r => r.Transfers);
        double Percentile(double p) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(p * latencies.Length))] * 1000.0 / Stopwatch.Frequency;
        var cpuMicros = transfers == 0 ? double.NaN : cpu * (1_000_000.0 / TicksPerSecond) / transfers;
        if (transfers > 0)
        {
            string PerOperation(long ticks) => (ticks * (1_000_000.0 / TicksPerSecond) / transfers).ToString("F0", CultureInfo.InvariantCulture);
            Console.Error.WriteLine($"cpu,{options.Target},{workload},{clients},api_us_per_op={string.Join('+', used.ApiTicks.Select(PerOperation))}," +
                $"postgres_us_per_op={PerOperation(used.PostgresTicks)},machine_busy_percent={used.BusyPercent.ToString("F0", CultureInfo.InvariantCulture)}");
        }
        return new PhaseResult(transfers / (double)options.Seconds, Percentile(0.50), Percentile(0.99), perClient.Sum(r => r.Errors), cpuMicros);
    }

    /// <summary>USER_HZ, the unit of /proc/[pid]/stat's times: 100 on Linux.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>CPU ticks of the API processes, of every PostgreSQL process, and of the whole machine (busy and all), at one moment.</summary>
    private sealed record CpuSample(long[] ApiTicks, long PostgresTicks, long MachineBusy, long MachineAll)
    {
        public double BusyPercent => MachineAll == 0 ? 0 : 100.0 * MachineBusy / MachineAll;

        public static CpuSample Take(int[] apiPids)
        {
            var postgres = Directory.GetDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
                .Where(pid => pid > 0 && IsPostgres(pid)).Sum(pid => CpuTicksOrZero(pid));
            // /proc/stat's first line: user nice system idle iowait irq softirq steal …, in ticks over all cores.
            var machine = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            return new CpuSample([.. apiPids.Select(CpuTicks)], postgres, machine.Sum() - machine[3] - machine[4], machine.Sum());
        }

        public CpuSample Since(CpuSample start) => new([.. ApiTicks.Zip(start.ApiTicks, (a, b) => a - b)], PostgresTicks - start.PostgresTicks,
            MachineBusy - start.MachineBusy, MachineAll - start.MachineAll);

        private static bool IsPostgres(int pid)
        {
            try
            {
                return File.ReadAllText($"/proc/{pid}/comm").TrimEnd() is "postgres" or "postmaster";
            }
            catch (IOException)
            {
                return false;
            }
        }

        private static long CpuTicksOrZero(int pid)
        {
            try
            {
                return CpuTicks(pid);
            }
            catch (IOException)
            {
                return 0; // it ended meanwhile
            }
        }
    }

    private static long CpuTicks(int pid)
    {
        if (pid == 0)
        {
            return 0;
        }
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture); // utime, stime
    }

    private sealed record ClientResult(List<long> Latencies, long Transfers, long Errors);

    private static async Task<ClientResult> ClientAsync(HttpClient http, World world, string workload, int client, long start, long end)
    {
        var random = new Random(client);
        var user = world.Users[client % world.Users.Count];
        var latencies = new List<long>();
        long transfers = 0, errors = 0;
        while (true)
        {
            var began = Stopwatch.GetTimestamp();
            if (began >= end)
            {
                break;
            }
            var (path, body, count, token) = workload switch
            {
                "batch" => ("/api/v1/transactions/batch", (object)new { transfers = Enumerable.Range(0, 1000).Select(_ => Transfer(world, user, random, hot: false)).ToArray() }, 1000, user.Token),
                "deposit" => ("/api/v1/transactions/deposit", new { account_id = world.AllAccounts[random.Next(world.AllAccounts.Length)], amount = "0.01" }, 1, world.AdminToken),
                _ => ("/api/v1/transactions/transfer", Transfer(world, user, random, workload == "hot", hold: workload == "capture"), 1, user.Token),
            };
            var ok = false;
            try
            {
                var (status, text) = workload switch
                {
                    // References for what every request costs before any money moves: the HTTP stack alone, and with a token and its session check.
                    "health" => await GetAsync(http, "/health", null),
                    "me" => await GetAsync(http, "/api/v1/auth/me", token),
                    _ => await PostAsync(http, path, body, token),
                };
                if (workload is "health" or "me")
                {
                    status = status == HttpStatusCode.OK ? HttpStatusCode.Created : status;
                }
                if (workload == "capture" && status is HttpStatusCode.Created)
                {
                    var hold = JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
                    (status, text) = await PostAsync(http, $"/api/v1/transactions/{hold}/capture", new { }, token);
                }
                // A batch counts as made only when none of its transfers failed.
                ok = status is HttpStatusCode.Created || (status is HttpStatusCode.OK && (workload == "capture" || text.Contains("\"failed\":0,", StringComparison.Ordinal)));
            }
            catch (HttpRequestException)
            {
            }
            var finished = Stopwatch.GetTimestamp();
            if (began >= start && finished <= end)
            {
                latencies.Add(finished - began);
                if (ok)
                {
                    transfers += count;
                }
                else
                {
                    errors++;
                }
            }
        }
        return new ClientResult(latencies, transfers, errors);
    }

    private static async Task<(HttpStatusCode Status, string Text)> GetAsync(HttpClient http, string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<(HttpStatusCode Status, string Text)> PostAsync(HttpClient http, string path, object body, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static object Transfer(World world, User user, Random random, bool hot, bool hold = false)
    {
        var origin = user.Accounts[random.Next(user.Accounts.Length)];
        var destination = hot ? world.Hot : world.AllAccounts[random.Next(world.AllAccounts.Length)];
        if (destination == origin)
        {
            destination = world.Hot;
        }
        return hold
            ? new { origin_account_id = origin, destination_account_id = destination, amount = "0.01", hold = (bool?)true }
            : new { origin_account_id = origin, destination_account_id = destination, amount = "0.01", hold = (bool?)null };
    }
}
