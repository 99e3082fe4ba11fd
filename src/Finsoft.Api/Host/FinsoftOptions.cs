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

    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>How long a claimed Idempotency-Key answers 409 before a retry may take over a claim whose process died.</summary>
    public int IdempotencyLeaseSeconds { get; set; } = 30;

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

    /// <summary>How often the background workers look for work.</summary>
    public int PollMilliseconds { get; set; } = 100;
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
