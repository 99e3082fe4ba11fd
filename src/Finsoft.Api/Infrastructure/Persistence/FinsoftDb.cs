using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Finsoft.Api.Infrastructure.Persistence;

/// <summary>
/// The EF Core model over the schema that the SQL migrations create (EF never creates tables here).
/// Names are snake_case in the database.
/// </summary>
public sealed class FinsoftDb(DbContextOptions<FinsoftDb> options) : DbContext(options)
{
    public DbSet<UserRow> Users => Set<UserRow>();
    public DbSet<SessionRow> Sessions => Set<SessionRow>();
    public DbSet<AccountRow> Accounts => Set<AccountRow>();
    public DbSet<DestinationAccountRow> DestinationAccounts => Set<DestinationAccountRow>();
    public DbSet<TransactionRow> Transactions => Set<TransactionRow>();
    public DbSet<JournalEntryRow> JournalEntries => Set<JournalEntryRow>();
    public DbSet<PostingRow> Postings => Set<PostingRow>();
    public DbSet<LedgerHeadRow> LedgerHead => Set<LedgerHeadRow>();
    public DbSet<IdempotencyKeyRow> IdempotencyKeys => Set<IdempotencyKeyRow>();
    public DbSet<SimulatedPayoutRow> SimulatedPayouts => Set<SimulatedPayoutRow>();
    public DbSet<UsedRefreshTokenRow> UsedRefreshTokens => Set<UsedRefreshTokenRow>();
    public DbSet<MfaRecoveryCodeRow> MfaRecoveryCodes => Set<MfaRecoveryCodeRow>();
    public DbSet<MfaSmsCodeRow> MfaSmsCodes => Set<MfaSmsCodeRow>();
    public DbSet<UserProfileRow> UserProfiles => Set<UserProfileRow>();
    public DbSet<AccountGrantRow> AccountGrants => Set<AccountGrantRow>();
    public DbSet<AuditEventRow> AuditEvents => Set<AuditEventRow>();
    public DbSet<DataProtectionKeyRow> DataProtectionKeys => Set<DataProtectionKeyRow>();
    public DbSet<ProtectedSecretRow> ProtectedSecrets => Set<ProtectedSecretRow>();
    public DbSet<RecordRow> Records => Set<RecordRow>();
    public DbSet<FxRateRow> FxRates => Set<FxRateRow>();
    public DbSet<FxQuoteRow> FxQuotes => Set<FxQuoteRow>();
    public DbSet<EventRow> Events => Set<EventRow>();
    public DbSet<EventConsumerRow> EventConsumers => Set<EventConsumerRow>();
    public DbSet<PaymentMethodRow> PaymentMethods => Set<PaymentMethodRow>();
    public DbSet<SimulatedVaultRow> SimulatedVault => Set<SimulatedVaultRow>();
    public DbSet<PaymentRow> Payments => Set<PaymentRow>();
    public DbSet<ProviderEventRow> ProviderEvents => Set<ProviderEventRow>();
    public DbSet<SimulatedChargeRow> SimulatedCharges => Set<SimulatedChargeRow>();
    public DbSet<SimulatedProviderEventRow> SimulatedProviderEvents => Set<SimulatedProviderEventRow>();
    public DbSet<WebhookEndpointRow> WebhookEndpoints => Set<WebhookEndpointRow>();
    public DbSet<WebhookDeliveryRow> WebhookDeliveries => Set<WebhookDeliveryRow>();
    public DbSet<WebhookAttemptRow> WebhookAttempts => Set<WebhookAttemptRow>();
    public DbSet<WatchlistVersionRow> WatchlistVersions => Set<WatchlistVersionRow>();
    public DbSet<WatchlistEntryRow> WatchlistEntries => Set<WatchlistEntryRow>();
    public DbSet<ScreeningRow> Screenings => Set<ScreeningRow>();
    public DbSet<ReviewRow> Reviews => Set<ReviewRow>();
    public DbSet<ScreeningScheduleRow> ScreeningSchedules => Set<ScreeningScheduleRow>();
    public DbSet<CustomerRiskRow> CustomerRisks => Set<CustomerRiskRow>();
    public DbSet<AccountActivityRow> AccountActivity => Set<AccountActivityRow>();
    public DbSet<RiskBlockRow> RiskBlocks => Set<RiskBlockRow>();
    public DbSet<MonitoringRulesRow> MonitoringRules => Set<MonitoringRulesRow>();
    public DbSet<CreditScoreRow> CreditScores => Set<CreditScoreRow>();
    public DbSet<CreditProductRow> CreditProducts => Set<CreditProductRow>();
    public DbSet<CreditOfferRow> CreditOffers => Set<CreditOfferRow>();
    public DbSet<LoanRow> Loans => Set<LoanRow>();
    public DbSet<LoanInstallmentRow> LoanInstallments => Set<LoanInstallmentRow>();
    public DbSet<ReconciliationRow> Reconciliations => Set<ReconciliationRow>();
    public DbSet<ReconciliationItemRow> ReconciliationItems => Set<ReconciliationItemRow>();
    public DbSet<FiscalPeriodRow> FiscalPeriods => Set<FiscalPeriodRow>();
    public DbSet<ReportJobRow> ReportJobs => Set<ReportJobRow>();
    public DbSet<ReportScheduleRow> ReportSchedules => Set<ReportScheduleRow>();
    public DbSet<LedgerCheckpointRow> LedgerCheckpoints => Set<LedgerCheckpointRow>();
    public DbSet<LedgerCheckpointAccountRow> LedgerCheckpointAccounts => Set<LedgerCheckpointAccountRow>();
    public DbSet<LedgerCheckpointCurrencyRow> LedgerCheckpointCurrencies => Set<LedgerCheckpointCurrencyRow>();
    public DbSet<LedgerVerificationRow> LedgerVerifications => Set<LedgerVerificationRow>();
    public DbSet<LedgerArchiveRow> LedgerArchives => Set<LedgerArchiveRow>();
    public DbSet<TppRow> Tpps => Set<TppRow>();
    public DbSet<ConsentRow> Consents => Set<ConsentRow>();
    public DbSet<ConsentUsageRow> ConsentUsage => Set<ConsentUsageRow>();
    public DbSet<ExternalLoginRow> ExternalLogins => Set<ExternalLoginRow>();
    public DbSet<DataRequestRow> DataRequests => Set<DataRequestRow>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every time is UTC; SQLite hands DateTime back unspecified, so say so on the way out.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<NullableUtcConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<UserRow>().ToTable("users");
        modelBuilder.Entity<SessionRow>().ToTable("sessions");
        modelBuilder.Entity<AccountRow>().ToTable("accounts");
        modelBuilder.Entity<DestinationAccountRow>().ToTable("destination_accounts");
        modelBuilder.Entity<TransactionRow>().ToTable("transactions");
        modelBuilder.Entity<JournalEntryRow>().ToTable("journal_entries");
        modelBuilder.Entity<PostingRow>().ToTable("postings").Property(p => p.Id).ValueGeneratedOnAdd();
        // Declared so that one SaveChanges inserts transactions, then entries, then postings.
        modelBuilder.Entity<JournalEntryRow>().HasOne<TransactionRow>().WithMany().HasForeignKey(e => e.TransactionId);
        modelBuilder.Entity<PostingRow>().HasOne<JournalEntryRow>().WithMany().HasForeignKey(p => p.EntryId);
        modelBuilder.Entity<LedgerHeadRow>().ToTable("ledger_head").Property(h => h.Id).ValueGeneratedNever();
        modelBuilder.Entity<IdempotencyKeyRow>().ToTable("idempotency_keys").HasKey(k => new { k.UserId, k.Key });
        modelBuilder.Entity<SimulatedPayoutRow>().ToTable("simulated_bank_payouts").HasKey(p => p.Reference);
        modelBuilder.Entity<UsedRefreshTokenRow>().ToTable("used_refresh_tokens").HasKey(t => t.TokenHash);
        modelBuilder.Entity<MfaRecoveryCodeRow>().ToTable("mfa_recovery_codes").HasKey(c => new { c.UserId, c.CodeHash });
        modelBuilder.Entity<MfaSmsCodeRow>().ToTable("mfa_sms_codes").HasKey(c => c.UserId);
        modelBuilder.Entity<UserProfileRow>().ToTable("user_profiles").HasKey(p => p.UserId);
        modelBuilder.Entity<AccountGrantRow>().ToTable("account_grants").HasKey(g => new { g.AccountId, g.UserId });
        modelBuilder.Entity<AuditEventRow>().ToTable("audit_events");
        modelBuilder.Entity<DataProtectionKeyRow>().ToTable("data_protection_keys").HasKey(k => k.Name);
        modelBuilder.Entity<ProtectedSecretRow>().ToTable("protected_secrets").HasKey(k => k.Name);
        modelBuilder.Entity<RecordRow>().ToTable("records");
        modelBuilder.Entity<FxRateRow>().ToTable("fx_rates");
        modelBuilder.Entity<FxQuoteRow>().ToTable("fx_quotes");
        modelBuilder.Entity<EventRow>().ToTable("events").HasKey(e => e.Position);
        modelBuilder.Entity<EventRow>().Property(e => e.Position).ValueGeneratedNever();
        modelBuilder.Entity<EventConsumerRow>().ToTable("event_consumers").HasKey(c => c.Name);
        modelBuilder.Entity<PaymentMethodRow>().ToTable("payment_methods");
        modelBuilder.Entity<SimulatedVaultRow>().ToTable("simulated_provider_vault").HasKey(v => v.Token);
        modelBuilder.Entity<PaymentRow>().ToTable("payments");
        modelBuilder.Entity<ProviderEventRow>().ToTable("provider_events").HasKey(e => new { e.Provider, e.EventId });
        modelBuilder.Entity<SimulatedChargeRow>().ToTable("simulated_provider_charges");
        modelBuilder.Entity<SimulatedProviderEventRow>().ToTable("simulated_provider_events");
        modelBuilder.Entity<WebhookEndpointRow>().ToTable("webhook_endpoints");
        modelBuilder.Entity<WebhookDeliveryRow>().ToTable("webhook_deliveries");
        modelBuilder.Entity<WebhookAttemptRow>().ToTable("webhook_attempts").Property(a => a.Id).ValueGeneratedOnAdd();
        modelBuilder.Entity<WatchlistVersionRow>().ToTable("watchlist_versions");
        modelBuilder.Entity<WatchlistEntryRow>().ToTable("watchlist_entries").HasKey(e => new { e.VersionId, e.EntryId });
        // Declared so that one SaveChanges inserts a version before its entries.
        modelBuilder.Entity<WatchlistEntryRow>().HasOne<WatchlistVersionRow>().WithMany().HasForeignKey(e => e.VersionId);
        modelBuilder.Entity<ScreeningRow>().ToTable("screenings");
        modelBuilder.Entity<ReviewRow>().ToTable("reviews");
        // Declared so that one SaveChanges inserts a screening before the reviews of its matches.
        modelBuilder.Entity<ReviewRow>().HasOne<ScreeningRow>().WithMany().HasForeignKey(r => r.ScreeningId);
        modelBuilder.Entity<ScreeningScheduleRow>().ToTable("screening_schedules").HasKey(s => new { s.EntityType, s.EntityId });
        modelBuilder.Entity<CustomerRiskRow>().ToTable("customer_risk").HasKey(r => r.UserId);
        modelBuilder.Entity<AccountActivityRow>().ToTable("account_activity").HasKey(a => new { a.AccountId, a.Hour, a.Direction });
        modelBuilder.Entity<RiskBlockRow>().ToTable("risk_blocks");
        modelBuilder.Entity<MonitoringRulesRow>().ToTable("monitoring_rules").Property(r => r.Id).ValueGeneratedNever();
        modelBuilder.Entity<CreditScoreRow>().ToTable("credit_scores").Ignore(s => s.EffectiveGrade);
        modelBuilder.Entity<CreditProductRow>().ToTable("credit_products");
        modelBuilder.Entity<CreditOfferRow>().ToTable("credit_offers");
        modelBuilder.Entity<LoanRow>().ToTable("loans");
        modelBuilder.Entity<LoanInstallmentRow>().ToTable("loan_installments").HasKey(i => new { i.LoanId, i.Number });
        modelBuilder.Entity<LoanInstallmentRow>().Ignore(i => i.Owed).Ignore(i => i.Paid).Ignore(i => i.Charged);
        modelBuilder.Entity<ReconciliationRow>().ToTable("reconciliations");
        modelBuilder.Entity<ReconciliationItemRow>().ToTable("reconciliation_items");
        modelBuilder.Entity<FiscalPeriodRow>().ToTable("fiscal_periods");
        modelBuilder.Entity<ReportJobRow>().ToTable("report_jobs");
        modelBuilder.Entity<ReportScheduleRow>().ToTable("report_schedules");
        modelBuilder.Entity<LedgerCheckpointRow>().ToTable("ledger_checkpoints");
        modelBuilder.Entity<LedgerCheckpointAccountRow>().ToTable("ledger_checkpoint_accounts").HasKey(a => new { a.CheckpointId, a.AccountId });
        modelBuilder.Entity<LedgerCheckpointCurrencyRow>().ToTable("ledger_checkpoint_currencies").HasKey(c => new { c.CheckpointId, c.Currency });
        modelBuilder.Entity<LedgerVerificationRow>().ToTable("ledger_verifications");
        modelBuilder.Entity<LedgerArchiveRow>().ToTable("ledger_archives").HasKey(a => a.Month);
        modelBuilder.Entity<TppRow>().ToTable("psd2_tpps");
        modelBuilder.Entity<ConsentRow>().ToTable("psd2_consents");
        modelBuilder.Entity<ConsentUsageRow>().ToTable("psd2_consent_usage").HasKey(u => new { u.ConsentId, u.AccountId, u.Day });
        modelBuilder.Entity<ExternalLoginRow>().ToTable("external_logins").HasKey(l => new { l.Provider, l.Subject });
        modelBuilder.Entity<DataRequestRow>().ToTable("gdpr_requests");
        // Declared so that one SaveChanges inserts a user made at its first external sign-in before the link to it.
        modelBuilder.Entity<ExternalLoginRow>().HasOne<UserRow>().WithMany().HasForeignKey(l => l.UserId);
        // And so that a user's first screening, made in the commit that creates them, follows the row whose key seals it.
        modelBuilder.Entity<ScreeningRow>().HasOne<UserRow>().WithMany().HasForeignKey(s => s.OwnerId);

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name));
            }
        }
    }

    private sealed class UtcConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v, DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private sealed class NullableUtcConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v.HasValue && v.Value.Kind != DateTimeKind.Utc ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v,
        v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);
}
