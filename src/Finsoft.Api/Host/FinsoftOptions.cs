using Finsoft.Ledger;

namespace Finsoft.Api.Host;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>The `Finsoft` configuration section, bound once and validated at start-up.</summary>
public sealed class FinsoftOptions
{
    public string DataDirectory { get; set; } = "./data";

    public string DefaultCurrency { get; set; } = "MXN";

    public DatabaseOptions Database { get; set; } = new();

    public JwtOptions Jwt { get; set; } = new();

    public BootstrapOptions Bootstrap { get; set; } = new();

    public BankOptions Bank { get; set; } = new();

    public EngineOptions Engine { get; set; } = new();

    public DataProtectionSettings DataProtection { get; set; } = new();

    public LockoutOptions Lockout { get; set; } = new();

    public SmsOptions Sms { get; set; } = new();

    public OidcOptions Oidc { get; set; } = new();

    public GdprOptions Gdpr { get; set; } = new();

    public ConsoleOptions Console { get; set; } = new();

    public RateLimitOptions RateLimit { get; set; } = new();

    public PaymentOptions Payments { get; set; } = new();

    public WebhookOptions Webhooks { get; set; } = new();

    public AmlOptions Aml { get; set; } = new();

    public RiskOptions Risk { get; set; } = new();

    public CreditOptions Credit { get; set; } = new();

    public AccountingOptions Accounting { get; set; } = new();

    public ReportOptions Reports { get; set; } = new();

    public LedgerOptions Ledger { get; set; } = new();

    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    public ApiDocsOptions ApiDocs { get; set; } = new();

    public LogOptions Logging { get; set; } = new();

    public MetricsOptions Metrics { get; set; } = new();

    public TracingOptions Tracing { get; set; } = new();

    /// <summary>How long a claimed Idempotency-Key answers 409 before a retry may take over a claim whose process died.</summary>
    public int IdempotencyLeaseSeconds { get; set; } = 30;

    /// <summary>How long a SIGTERM may take, drain delay included, before what is still running is abandoned.</summary>
    public int ShutdownTimeoutSeconds { get; set; } = 30;

    /// <summary>How long a node shutting down goes on serving while not ready; unset: 5 s in Production, 0 elsewhere.</summary>
    public int? ShutdownDrainSeconds { get; set; }

    /// <summary>How long an FX quote's price holds.</summary>
    public int FxQuoteSeconds { get; set; } = 60;

    /// <summary>Largest request body accepted, in bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    public Currency DefaultCurrencyValue => Currency.Get(DefaultCurrency);
}

public sealed class DatabaseOptions
{
    /// <summary>Kept as text so that an unknown provider gets a clear start-up error, not a binder exception.</summary>
    public string Provider { get; set; } = nameof(DatabaseProvider.Sqlite);

    /// <summary>
    /// What stands between the API and PostgreSQL: nothing (<c>none</c>), or PgBouncer pooling by transaction
    /// (<c>pgbouncer-transaction</c>), which hands each transaction whatever server connection is free, so nothing may
    /// outlive one: no prepared statements (PgBouncer 1.18 does not carry them), no session state, no session locks.
    /// </summary>
    public string Pooler { get; set; } = NoPooler;

    public const string NoPooler = "none";
    public const string PgBouncerTransaction = "pgbouncer-transaction";

    /// <summary>
    /// How far behind the primary the read-only replica (<c>ConnectionStrings:FinsoftReadOnly</c>) may be for a read
    /// that tolerates staleness to go to it; further behind, or of unknown lag, and the read goes to the primary.
    /// </summary>
    public int ReplicaMaxLagMilliseconds { get; set; } = 5000;

    /// <summary>How often each node measures the replica's lag.</summary>
    public int ReplicaLagPollMilliseconds { get; set; } = 500;
}

public sealed class JwtOptions
{
    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = "finsoft";

    public string Audience { get; set; } = "finsoft-api";

    public int AccessTokenMinutes { get; set; } = 15;

    public int RefreshTokenDays { get; set; } = 14;
}

public sealed class BootstrapOptions
{
    public string? AdminEmail { get; set; }

    public string? AdminPassword { get; set; }

    public string AdminFullName { get; set; } = "Administrator";
}

public sealed class BankOptions
{
    /// <summary>How long the simulated bank takes to settle a payout.</summary>
    public int SettlementDelayMilliseconds { get; set; } = 200;

    /// <summary>When true, the simulated bank rejects every payout (to exercise the failure path).</summary>
    public bool RejectAll { get; set; }

    /// <summary>Faults the simulated bank plants in its statements: <c>missing_line</c>, <c>wrong_amount</c>.</summary>
    public List<string> StatementFaults { get; set; } = [];

    /// <summary>How often the background workers look for work.</summary>
    public int PollMilliseconds { get; set; } = 100;
}

/// <summary>Pay-ins through providers: the platform's fee, and how the built-in simulated providers behave.</summary>
public sealed class PaymentOptions
{
    /// <summary>The fee's percentage of the amount, as decimal text ("2.9"); rounded half up to the currency's minor unit.</summary>
    public string FeePercent { get; set; } = "2.9";

    /// <summary>A fixed part of the fee per currency, as decimal text in that currency ("MXN": "3.00"); none where unset.</summary>
    public Dictionary<string, string> FixedFee { get; set; } = [];

    /// <summary>Where providers send their events; unset: this process's own first listening address.</summary>
    public string? WebhookBaseUrl { get; set; }

    /// <summary>How often the payment workers (submission, the simulated providers' delivery) look for work.</summary>
    public int PollMilliseconds { get; set; } = 200;

    /// <summary>Per provider name (simcard, simbank): its webhook secret and, for the simulated ones, how they behave.</summary>
    public Dictionary<string, ProviderOptions> Providers { get; set; } = [];

    public ProviderOptions Provider(string name) => Providers.GetValueOrDefault(name) ?? new ProviderOptions();
}

public sealed class ProviderOptions
{
    /// <summary>The secret the provider signs its events with; unset: one made up at start, good for this process only.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>How long the simulated provider takes before it says how a charge or refund ended.</summary>
    public int DelayMilliseconds { get; set; } = 300;

    /// <summary>Decline every charge (besides the cards and accounts ending in 0002, which always decline).</summary>
    public bool Decline { get; set; }

    /// <summary>Refuse every refund.</summary>
    public bool DeclineRefunds { get; set; }

    /// <summary>Deliver every event twice.</summary>
    public bool DuplicateEvents { get; set; }

    /// <summary>Deliver a charge's outcome before the "processing" event that precedes it.</summary>
    public bool OutOfOrder { get; set; }
}

/// <summary>Sanctions screening.</summary>
public sealed class AmlOptions
{
    /// <summary>The score (0–1) from which a listed entry is a potential match.</summary>
    public double MinMatch { get; set; } = 0.88;

    /// <summary>How often a user or destination account is rescreened unless an analyst set otherwise.</summary>
    public int RescreenIntervalDays { get; set; } = 365;

    /// <summary>How often the rescreening worker looks for what is due and for new list versions.</summary>
    public int RescreenPollMilliseconds { get; set; } = 60_000;

    /// <summary>Watch lists loaded at start, in order (a source's aliases after its main file); unchanged files are not loaded again.</summary>
    public List<WatchlistFile> WatchlistFiles { get; set; } = [];
}

/// <summary>How the process writes its log.</summary>
public sealed class LogOptions
{
    /// <summary>`json` (one object a line, for a log pipeline) or `text`; unset: `text` in Development, `json` elsewhere.</summary>
    public string? Format { get; set; }
}

/// <summary>Prometheus metrics, served on a port of their own so the public API port never shows them.</summary>
public sealed class MetricsOptions
{
    /// <summary>The port `/metrics` is served on; unset, there is no `/metrics` at all.</summary>
    public int? Port { get; set; }

    /// <summary>The host part of the listener's prefix: `*` (every interface, for a Prometheus elsewhere) or `localhost`.</summary>
    public string Host { get; set; } = "*";
}

/// <summary>OpenTelemetry traces.</summary>
public sealed class TracingOptions
{
    /// <summary>Record spans; also on whenever `OTEL_EXPORTER_OTLP_ENDPOINT` names a collector to export them to.</summary>
    public bool Enabled { get; set; }
}

/// <summary>The OpenAPI document and Swagger UI.</summary>
public sealed class ApiDocsOptions
{
    /// <summary>Serve them; a production deployment may prefer not to describe itself to everyone.</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>Customer risk rating.</summary>
public sealed class RiskOptions
{
    /// <summary>
    /// ISO 3166-1 alpha-2 codes of countries whose residents rate higher: by default the jurisdictions the FATF calls
    /// to act against (North Korea, Iran, Myanmar); set the list your compliance officer keeps.
    /// </summary>
    public List<string> HighRiskCountries { get; set; } = ["KP", "IR", "MM"];
}

public sealed class CreditOptions
{
    /// <summary>The scorecard model file; the one shipped beside the assembly when not set.</summary>
    public string? ModelPath { get; set; }

    /// <summary>How long a score may be used for offers.</summary>
    public int ScoreValidDays { get; set; } = 30;

    /// <summary>How long an offer may be accepted.</summary>
    public int OfferValidDays { get; set; } = 7;

    /// <summary>How often the loan worker looks for installments that fell due.</summary>
    public int PollMilliseconds { get; set; } = 1000;
}

public sealed class LedgerOptions
{
    /// <summary>How many entries past the latest checkpoint make the service prove them and checkpoint again (0: never by itself).</summary>
    public long CheckpointEveryEntries { get; set; } = 100_000;

    /// <summary>How often the verification runner looks for jobs and for a checkpoint that is due.</summary>
    public int VerificationPollMilliseconds { get; set; } = 1000;

    /// <summary>
    /// Months that ended at least this many months ago are archived by the service itself, oldest first (PostgreSQL; see
    /// <see cref="MoneyPath.Archiving.JournalRetention"/>). 0: only when an admin asks.
    /// </summary>
    public int ArchiveMonthsOlderThan { get; set; }

    /// <summary>The key that seals the ledger head and checkpoints (<see cref="MoneyPath.Verification.LedgerSeal"/>): at least 32 bytes, never in the database.</summary>
    public string? SealKey { get; set; }

    /// <summary>Keys that prove seals but never make one (the old key after a rotation, the new one before it): <c>Finsoft__Ledger__AcceptedSealKeys__0=…</c>.</summary>
    public List<string> AcceptedSealKeys { get; set; } = [];
}

public sealed class ReportOptions
{
    /// <summary>How long a report job's file can be downloaded.</summary>
    public int KeepDays { get; set; } = 7;

    /// <summary>How often the report runner looks for queued jobs, and the scheduler for schedules that fell due.</summary>
    public int PollMilliseconds { get; set; } = 1000;
}

public sealed class AccountingOptions
{
    /// <summary>The month whose last day ends the fiscal year (12: the calendar year).</summary>
    public int FiscalYearEndMonth { get; set; } = 12;

    /// <summary>Whether <paramref name="day"/> is the last day of a fiscal year.</summary>
    public bool EndsYear(DateOnly day) => day.Month == FiscalYearEndMonth && day.Day == DateTime.DaysInMonth(day.Year, day.Month);
}

/// <summary>One file of a watch list: <c>Finsoft__Aml__WatchlistFiles__0__Source=ofac</c>, <c>…__Format=ofac-sdn-csv</c>, <c>…__Path=/lists/sdn.csv</c>.</summary>
public sealed class WatchlistFile
{
    public string Source { get; set; } = "";
    public string Format { get; set; } = "";
    public string Path { get; set; } = "";
}

/// <summary>Outgoing webhooks: where they may go, and how hard Finsoft tries.</summary>
public sealed class WebhookOptions
{
    /// <summary>Allow targets on private, loopback or link-local addresses (tests, a private network you trust); off, they are refused (SSRF).</summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>
    /// The waits between tries after the first, in milliseconds; unset: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (the
    /// Standard Webhooks schedule, 27 hours in all). After the last, the delivery has failed.
    /// </summary>
    public int[]? RetryDelaysMilliseconds { get; set; }

    public IReadOnlyList<TimeSpan> RetryDelays => RetryDelaysMilliseconds is { Length: > 0 } configured
        ? configured.Select(ms => TimeSpan.FromMilliseconds(ms)).ToList()
        : [TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5),
            TimeSpan.FromHours(10), TimeSpan.FromHours(10)];

    /// <summary>An endpoint whose deliveries have failed for this long, without one succeeding, is disabled.</summary>
    public int DisableAfterSeconds { get; set; } = 24 * 60 * 60;

    /// <summary>How long one try may take.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>How often the sender looks for deliveries due.</summary>
    public int PollMilliseconds { get; set; } = 250;
}

/// <summary>How the transfer engine groups requests into database transactions.</summary>
public sealed class EngineOptions
{
    /// <summary>Most orders in one database transaction (a batch request of more is never split).</summary>
    public int MaxBatchOrders { get; set; } = 1000;

    /// <summary>How long a writer waits for more work once the queue runs dry, before committing what it has. 0: no wait.</summary>
    public int BatchWaitMicroseconds { get; set; }

    /// <summary>Writer loops on PostgreSQL; SQLite always has one. One measured fastest: a second one mostly waits for the locks the first holds.</summary>
    public int PostgresWriters { get; set; } = 1;

    /// <summary>How long a two-phase transfer holds funds when the request names no expiry.</summary>
    public int DefaultHoldMinutes { get; set; } = 7 * 24 * 60;
}

public sealed class DataProtectionSettings
{
    /// <summary>Where the encryption key ring lives; unset: in the database, shared by every node.</summary>
    public string? KeyDirectory { get; set; }
}

/// <summary>GDPR data-subject requests.</summary>
public sealed class GdprOptions
{
    /// <summary>How long an access or portability export can be downloaded.</summary>
    public int ExportDays { get; set; } = 7;

    /// <summary>How often the worker looks for access and portability requests to answer, and for legal holds that have ended.</summary>
    public int PollMilliseconds { get; set; } = 1000;

    /// <summary>How long after the relationship ends an erased customer's data is kept for AML (the EU's AMLD: five years).</summary>
    public int AmlRetentionYears { get; set; } = 5;
}

/// <summary>The admin console at /console.</summary>
public sealed class ConsoleOptions
{
    /// <summary>A console session left idle this long ends; each request renews it.</summary>
    public int IdleMinutes { get; set; } = 20;
}

/// <summary>Sign-in through external OpenID Connect providers, each named in configuration (`Finsoft__Oidc__Providers__&lt;name&gt;__…`).</summary>
public sealed class OidcOptions
{
    public Dictionary<string, OidcProviderOptions> Providers { get; set; } = [];
}

public sealed class OidcProviderOptions
{
    /// <summary>The issuer: its `/.well-known/openid-configuration` is read for the endpoints and signing keys.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>For a confidential client (sent by HTTP Basic at the token endpoint); PKCE is used either way.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>What a sign-in page shows; the name by default.</summary>
    public string? DisplayName { get; set; }

    /// <summary>Off only for a provider on the loopback interface (development, tests): its metadata may then be plain HTTP.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
}

/// <summary>SMS one-time codes (a second factor beside TOTP).</summary>
public sealed class SmsOptions
{
    /// <summary>
    /// The development sender: each message is appended to this file (relative to the data directory), codes included. Refused
    /// in Production, where a real gateway implements <see cref="Infrastructure.Sms.ISmsSender"/>; with neither, SMS MFA is off.
    /// </summary>
    public string? OutboxFile { get; set; }

    public int CodeMinutes { get; set; } = 5;

    /// <summary>A new code is sent at most this often to one user…</summary>
    public int ResendSeconds { get; set; } = 30;

    /// <summary>…and at most <see cref="MaxSends"/> times in <see cref="WindowMinutes"/>.</summary>
    public int MaxSends { get; set; } = 5;

    public int WindowMinutes { get; set; } = 15;
}

public sealed class LockoutOptions
{
    /// <summary>Failed sign-ins (passwords or MFA codes) within <see cref="Minutes"/> that lock the user out.</summary>
    public int MaxFailures { get; set; } = 5;

    /// <summary>The window failures are counted in, and how long the lock then lasts.</summary>
    public int Minutes { get; set; } = 15;
}

public sealed class RateLimitOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Requests per minute to the sign-in endpoints from one client address.</summary>
    public int AuthPerMinute { get; set; } = 30;

    /// <summary>Requests per second from one signed-in user to everything else.</summary>
    public int UserPerSecond { get; set; } = 200;
}

/// <summary>Start-up refused: one line for the operator, no stack trace.</summary>
public sealed class StartupException(string message) : Exception(message);

/// <summary>Which database this process talks to, as chosen at start-up.</summary>
public sealed record DatabaseTarget(DatabaseProvider Provider);
