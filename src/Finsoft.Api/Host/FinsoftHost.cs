using Finsoft.Api.MoneyPath.Verification;
using System.Data.Common;
using Finsoft.Api.Features.Accounting;
using Finsoft.Api.Features.Accounts;
using Finsoft.Api.Features.Aml;
using Finsoft.Api.Features.Analytics;
using Finsoft.Api.Features.Credit;
using Finsoft.Api.Features.Reconciliation;
using Finsoft.Api.Features.ReportJobs;
using Finsoft.Api.Features.Risk;
using Finsoft.Api.Features.DestinationAccounts;
using Finsoft.Api.Features.Health;
using Finsoft.Api.Features.Identity;
using Finsoft.Api.Features.Ledger;
using Finsoft.Api.Features.Transactions;
using Finsoft.Api.Features.Audit;
using Finsoft.Api.Features.Dashboard;
using Finsoft.Api.Features.Events;
using Finsoft.Api.Features.ExternalSignIn;
using Finsoft.Api.Features.Fx;
using Finsoft.Api.AdminConsole;
using Finsoft.Api.Features.Gdpr;
using Finsoft.Api.Features.Payments;
using Finsoft.Api.Features.Psd2;
using Finsoft.Api.Features.Reports;
using Finsoft.Api.Features.Users;
using Finsoft.Api.Features.Webhooks;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Security;
using Finsoft.Api.MoneyPath.Settlement;
using Finsoft.Api.Host;
using Finsoft.Api.Host.Observability;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Api.MoneyPath.Payments;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;

namespace Finsoft.Api.Host;

/// <summary>Wires the host: configuration, services, middleware, and each capability's routes.</summary>
public static class FinsoftHost
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        // The published app may be started from any directory: its own appsettings.json is the base layer under everything else.
        var baseSettings = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
        {
            Path = Path.Combine(AppContext.BaseDirectory, "appsettings.json"), Optional = true,
        };
        baseSettings.ResolveFileProvider();
        builder.Configuration.Sources.Insert(0, baseSettings);
        var section = builder.Configuration.GetSection("Finsoft");
        var options = section.Get<FinsoftOptions>() ?? new FinsoftOptions();
        if (Currency.Find(options.DefaultCurrency) is null)
        {
            throw new StartupException($"Finsoft:DefaultCurrency '{options.DefaultCurrency}' is not an ISO 4217 currency.");
        }
        PaymentFee.Validate(options.Payments);
        if (options.Accounting.FiscalYearEndMonth is < 1 or > 12)
        {
            throw new StartupException("Finsoft:Accounting:FiscalYearEndMonth must be a month from 1 to 12.");
        }
        builder.Services.AddOptions<FinsoftOptions>().Bind(section);
        builder.AddFinsoftLogs(options.Logging);
        builder.AddFinsoftTelemetry(options);
        builder.Services.AddSingleton(TimeProvider.System);
        if (options.ShutdownTimeoutSeconds < 1)
        {
            throw new StartupException("Finsoft:ShutdownTimeoutSeconds must be at least 1.");
        }
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(options.ShutdownTimeoutSeconds));
        builder.Services.AddSingleton<GracefulShutdown>();
        builder.Services.AddHostedService(services => services.GetRequiredService<GracefulShutdown>());
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.AddServerHeader = false; // no need to tell anyone what serves them
        });

        builder.Services.AddFinsoftDatabase(builder.Configuration, options);
        var signingKey = SigningKey.Resolve(options, builder.Environment);
        builder.Services.AddFinsoftAuth(options, signingKey);
        builder.Services.AddSingleton(MoneyPath.Verification.LedgerSeal.Resolve(options, builder.Environment));
        builder.Services.AddPsd2(options, signingKey);
        builder.Services.AddExternalSignIn(options.Oidc, builder.Environment);
        builder.Services.AddGdpr();
        builder.Services.AddFinsoftConsole(TimeSpan.FromMinutes(options.Console.IdleMinutes));
        builder.Services.AddScoped<ConsoleSignIn>();
        builder.Services.ConfigureHttpJsonOptions(json => Json.Configure(json.SerializerOptions));
        // Binding failures reach ErrorHandler in every environment, so clients always learn which field was wrong.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ErrorHandler>();
        builder.Services.AddFinsoftOpenApi();
        builder.Services.AddFinsoftHealth();

        builder.Services.AddFinsoftDataProtection(options);
        builder.Services.AddFinsoftRateLimits(options.RateLimit);
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<AuditTrail>();
        builder.Services.AddSingleton<SignInGuard>();
        builder.Services.AddSingleton<SmsCodes>();
        if (options.Sms.OutboxFile is { Length: > 0 } outbox)
        {
            if (builder.Environment.IsProduction())
            {
                throw new StartupException("Finsoft:Sms:OutboxFile is the development SMS sender, which writes codes to a file; it is refused in Production.");
            }
            var path = Path.Combine(options.DataDirectory, outbox);
            builder.Services.AddSingleton<Infrastructure.Sms.ISmsSender>(services =>
                new Infrastructure.Sms.OutboxFileSmsSender(path, services.GetRequiredService<TimeProvider>()));
        }
        builder.Services.AddSingleton<Passwords>();
        builder.Services.AddSingleton<SystemAccounts>();
        builder.Services.AddScoped<UnitOfWork>();
        builder.Services.AddSingleton<AccountFacts>();
        builder.Services.AddSingleton<MoneyPath.Periods.FiscalCalendar>();
        builder.Services.AddScoped<LedgerStore>();
        builder.Services.AddScoped<IdempotencyStore>();
        builder.Services.AddScoped<BatchExecution>();
        builder.Services.AddSingleton<MoneyEngine>();
        builder.Services.AddHostedService(services => services.GetRequiredService<MoneyEngine>());
        builder.Services.AddScoped<LedgerVerifier>();
        builder.Services.AddScoped<SealedChain>();
        builder.Services.AddScoped<ChainWalk>();
        builder.Services.AddScoped<LedgerCheckpoints>();
        builder.Services.AddHostedService<LedgerVerificationRunner>();
        builder.Services.AddScoped<MoneyPath.Archiving.JournalArchiver>();
        builder.Services.AddHostedService<MoneyPath.Archiving.JournalPartitions>();
        builder.Services.AddSingleton<MoneyPath.Archiving.JournalRetention>();
        builder.Services.AddHostedService(services => services.GetRequiredService<MoneyPath.Archiving.JournalRetention>());
        builder.Services.AddScoped<IBankConnector, SimulatedBank>();
        builder.Services.AddPayments();
        builder.Services.AddWebhooks(options.Webhooks);
        builder.Services.AddAml();
        builder.Services.AddRisk();
        builder.Services.AddCredit(options);
        builder.Services.AddReconciliation();
        builder.Services.AddScoped<YearEndClosing>();
        builder.Services.AddReportJobs();
        builder.Services.AddScoped<IPayoutOutcomes, WithdrawalSettlement>();
        builder.Services.AddSingleton<WithdrawalProcessor>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WithdrawalProcessor>());
        builder.Services.AddHostedService<SimulatedBankSettlement>();
        builder.Services.AddSingleton<HoldExpiry>();
        builder.Services.AddHostedService(services => services.GetRequiredService<HoldExpiry>());
        builder.Services.AddSingleton<EventDispatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<EventDispatcher>());
        builder.Services.AddSingleton<IdempotencyKeyExpiry>();
        builder.Services.AddHostedService(services => services.GetRequiredService<IdempotencyKeyExpiry>());

        var app = builder.Build();
        app.UseFinsoftEdge(options.ForwardedHeaders); // first: the client's real address before anything records it
        app.UseExceptionHandler();
        app.UseStatusCodePages(context => ApiResults.WriteProblemAsync(context.HttpContext, context.HttpContext.Response.StatusCode,
            ReasonOf(context.HttpContext.Response.StatusCode)));
        app.UseMiddleware<BodySizeLimit>(options.MaxRequestBodyBytes);
        app.Use((context, next) =>
        {
            // The id the audit trail records, and the trace the logs and spans carry, so a client's report can be matched to both.
            context.Response.Headers["X-Request-Id"] = context.TraceIdentifier;
            if (Telemetry.TraceParent(System.Diagnostics.Activity.Current) is { } traceParent)
            {
                context.Response.Headers["traceparent"] = traceParent;
            }
            return next(context);
        });
        app.UseAuthentication();
        app.UseFinsoftConsole();
        app.UseUserLogScope();
        if (options.RateLimit.Enabled)
        {
            app.UseRateLimiter(); // after authentication: the per-user limit needs to know the user
        }
        app.UseAuthorization();

        if (options.ApiDocs.Enabled)
        {
            app.MapFinsoftOpenApi();
        }
        app.MapFinsoftHealth();
        app.MapIdentity();
        app.MapExternalSignIn();
        app.MapAccounts();
        app.MapDestinationAccounts();
        app.MapTransactions();
        app.MapLedger();
        app.MapUserAdministration();
        app.MapAudit();
        app.MapDashboard();
        app.MapReports();
        app.MapFx();
        app.MapEvents();
        app.MapPayments();
        app.MapWebhooks();
        app.MapAml();
        app.MapRisk();
        app.MapCredit();
        app.MapAnalytics();
        app.MapReconciliation();
        app.MapAccounting();
        app.MapReportJobs();
        app.MapPsd2();
        app.MapGdpr();
        app.MapFinsoftConsole();
        return app;
    }

    /// <summary>Brings the schema up to date and creates the bootstrap admin, refusing to start when the database cannot be reached.</summary>
    public static async Task PrepareAsync(WebApplication app)
    {
        await MigrateAsync(app);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<SealedChain>().CheckHeadAtStartAsync(app.Logger, CancellationToken.None);
        }
        await app.Services.PrepareSensitiveDataAsync(CancellationToken.None);
        await app.Services.SealLegacyPersonalDataAsync(CancellationToken.None);
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<FinsoftOptions>>().Value;
        await WatchlistFiles.LoadAsync(app.Services, options.Aml, CancellationToken.None); // before the first user is screened
        await BootstrapAdmin.EnsureAsync(app.Services, options, CancellationToken.None);
    }

    public static async Task MigrateAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        try
        {
            await scope.ServiceProvider.GetRequiredService<MigrationRunner>().MigrateAsync();
            // Before the first entry is written: this month's partitions and the next ones.
            await MoneyPath.Archiving.JournalPartitions.EnsureAsync(scope.ServiceProvider.GetRequiredService<FinsoftDb>(),
                app.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime, app.Logger, CancellationToken.None);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new StartupException($"The database is unreachable or refused the schema migration: {e.GetBaseException().Message}");
        }
    }

    private static string ReasonOf(int status) => status switch
    {
        StatusCodes.Status404NotFound => "No such resource.",
        StatusCodes.Status405MethodNotAllowed => "This method is not allowed here.",
        StatusCodes.Status415UnsupportedMediaType => "The request body must be application/json.",
        _ => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
    };
}
