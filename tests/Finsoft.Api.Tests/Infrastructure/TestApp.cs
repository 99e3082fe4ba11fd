using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Finsoft.Api.Tests.Infrastructure;

/// <summary>
/// The real Finsoft host over HTTP (in memory), on a fresh SQLite file or a fresh PostgreSQL
/// database, with a bootstrap admin. Two TestApps can share one database to act as two API nodes.
/// </summary>
public sealed class TestApp : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@finsoft.test";
    public const string AdminPassword = "operator-secret-for-tests";

    private readonly Dictionary<string, string?> _settings;

    private TestApp(DatabaseKind kind, Dictionary<string, string?> settings, string dataDirectory)
    {
        Kind = kind;
        _settings = settings;
        DataDirectory = dataDirectory;
        ServerLog = new ErrorLog(settings.GetValueOrDefault("Logging:LogLevel:Default") == "Trace" ? LogLevel.Trace : LogLevel.Warning);
    }

    public DatabaseKind Kind { get; }

    public string DataDirectory { get; }

    public IReadOnlyDictionary<string, string?> Settings => _settings;

    /// <summary>What the server logged at warning level or above (everything, when the app's log level is Trace).</summary>
    public ErrorLog ServerLog { get; }

    /// <param name="overKestrel">
    /// Listen on a loopback port (a real HTTP server), for tests where the app is called from outside the test's
    /// own client: the simulated payment providers post their events to it.
    /// </param>
    /// <param name="services">Changes to the app's services (a test's own exporter, say), made after the app's own.</param>
    public static async Task<TestApp> StartAsync(DatabaseKind kind, IDictionary<string, string?>? overrides = null, bool overKestrel = false,
        Action<IServiceCollection>? services = null)
    {
        var dataDirectory = Scratch.NewDirectory("app");
        var settings = new Dictionary<string, string?>
        {
            ["Finsoft:DataDirectory"] = dataDirectory,
            ["Finsoft:Database:Provider"] = kind.ToString(),
            ["Finsoft:Jwt:SigningKey"] = "test-signing-key-that-is-long-enough-0123456789",
            ["Finsoft:Ledger:SealKey"] = ApiProcess.SealKey,
            ["Finsoft:Bootstrap:AdminEmail"] = AdminEmail,
            ["Finsoft:Bootstrap:AdminPassword"] = AdminPassword,
            ["Finsoft:Bank:SettlementDelayMilliseconds"] = "50",
            ["Finsoft:Bank:PollMilliseconds"] = "50",
            ["Logging:LogLevel:Default"] = "Warning",
            // Every test signs in from the same address; the rate-limit tests turn this back on.
            ["Finsoft:RateLimit:Enabled"] = "false",
        };
        string? database = null;
        if (kind == DatabaseKind.Postgres)
        {
            database = await PostgresServer.Instance.CreateDatabaseAsync();
            settings["ConnectionStrings:Finsoft"] = PostgresServer.Instance.ConnectionString(database);
        }
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        if (overKestrel)
        {
            var port = ApiProcess.FreePort();
            settings["Finsoft:Payments:WebhookBaseUrl"] = $"http://127.0.0.1:{port}";
            var real = new TestApp(kind, settings, dataDirectory) { _services = services, _address = new Uri($"http://127.0.0.1:{port}"), _ownedDatabase = database, _ownsDataDirectory = true };
            real.UseKestrel(port);
            real.StartServer();
            return real;
        }
        var app = new TestApp(kind, settings, dataDirectory) { _services = services, _ownedDatabase = database, _ownsDataDirectory = true };
        _ = app.Server; // start now, so migrations and the bootstrap admin are in place
        return app;
    }

    /// <summary>Another node (or a restarted process) on the same database and data directory.</summary>
    public TestApp Sibling(IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>(_settings);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        var sibling = new TestApp(Kind, settings, DataDirectory);
        _ = sibling.Server;
        return sibling;
    }

    /// <summary>Stops this app and starts another on its database and data directory, as a process restart does.</summary>
    public async Task<TestApp> RestartAsync()
    {
        var (database, ownsDataDirectory) = (_ownedDatabase, _ownsDataDirectory);
        (_ownedDatabase, _ownsDataDirectory) = (null, false);
        await DisposeAsync();
        var restarted = Sibling();
        (restarted._ownedDatabase, restarted._ownsDataDirectory) = (database, ownsDataDirectory);
        return restarted;
    }

    /// <summary>The loopback address of an app started over Kestrel; null for one in memory.</summary>
    private Uri? _address;

    /// <summary>Where a browser reaches an app started over Kestrel.</summary>
    public Uri Address => _address ?? throw new InvalidOperationException("Start the app with overKestrel: true to reach it from a browser.");

    // What the first app of a database made and deletes when it is disposed (its siblings are disposed before it).
    private string? _ownedDatabase;
    private Action<IServiceCollection>? _services;
    private bool _ownsDataDirectory;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownedDatabase is not null)
        {
            await PostgresServer.Instance.DropDatabaseAsync(_ownedDatabase);
        }
        if (_ownsDataDirectory)
        {
            Scratch.TryDelete(DataDirectory);
        }
        GC.SuppressFinalize(this);
    }

    public ApiClient Api() => new(CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false, BaseAddress = _address ?? new Uri("http://localhost"),
    }), ServerLog);

    /// <summary>Runs code against the app's database, for assertions on what was stored.</summary>
    public async Task<T> WithDbAsync<T>(Func<FinsoftDb, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<FinsoftDb>());
    }

    /// <summary>The keyed hash a user is found by: emails are stored sealed under each person's key, never comparable.</summary>
    public string EmailHash(string email) =>
        Services.GetRequiredService<Finsoft.Api.Infrastructure.Security.PersonalData>().EmailHash(Finsoft.Api.Features.Identity.Passwords.NormalizeEmail(email));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // Only to the test's own log: the console would repeat every warning of every test in the run's output.
        builder.ConfigureLogging(logging => logging.ClearProviders().AddProvider(ServerLog));
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        if (_services is not null)
        {
            builder.ConfigureServices(_services);
        }
    }
}
