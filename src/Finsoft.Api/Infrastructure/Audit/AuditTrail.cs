using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;

namespace Finsoft.Api.Infrastructure.Audit;

/// <summary>The security and administrative events the audit trail records.</summary>
public static class AuditEvents
{
    public const string LoginSucceeded = "login.succeeded";
    public const string LoginFailed = "login.failed";
    public const string LockedOut = "login.locked_out";
    public const string MfaEnrolled = "mfa.enabled";
    public const string MfaDisabled = "mfa.disabled";
    public const string MfaFailed = "mfa.failed";
    public const string RecoveryCodeUsed = "mfa.recovery_code_used";
    public const string TokenReuse = "token.family_revoked";
    public const string PasswordChanged = "password.changed";
    public const string UserCreated = "user.created";
    public const string RoleChanged = "user.role_changed";
    public const string StatusChanged = "user.status_changed";
    public const string UserDeleted = "user.deleted";
    public const string UserUnlocked = "user.unlocked";
    public const string ProfileChanged = "user.profile_changed";
    public const string AccessGranted = "account.access_granted";
    public const string AccessRevoked = "account.access_revoked";
    public const string BalanceAdjusted = "account.balance_adjusted";
    public const string LimitsChanged = "account.limits_changed";
    public const string ReviewDecided = "review.decided";
    public const string RescreeningScheduled = "screening.rescheduled";
    public const string MonitoringRulesChanged = "risk.rules_changed";
    public const string CreditReviewRequested = "credit.review_requested";
    public const string CreditReviewDecided = "credit.review_decided";
    public const string CreditProductChanged = "credit.product_changed";
    public const string ReconciliationItemResolved = "reconciliation.item_resolved";
    public const string FiscalPeriodCreated = "fiscal_period.created";
    public const string FiscalPeriodClosed = "fiscal_period.closed";
    public const string FiscalPeriodReopened = "fiscal_period.reopened";
    public const string LedgerMonthArchived = "ledger.month_archived";
    public const string ExternalLoginLinked = "user.external_login_linked";
    public const string DataRequestReceived = "gdpr.request_received";
    public const string DataRequestCompleted = "gdpr.request_completed";
    public const string DataRequestRejected = "gdpr.request_rejected";
    public const string PersonErased = "gdpr.person_erased";
    public const string PersonalDataShredded = "gdpr.personal_data_shredded";
    public const string DataExportDownloaded = "gdpr.export_downloaded";
    public const string TppRegistered = "psd2.tpp_registered";
    public const string TppRevoked = "psd2.tpp_revoked";
    public const string ConsentReceived = "psd2.consent_received";
    public const string ConsentAuthorised = "psd2.consent_authorised";
    public const string ConsentRevoked = "psd2.consent_revoked";
    public const string ConsentTerminated = "psd2.consent_terminated";
    public const string Psd2Accessed = "psd2.accessed";
    public const string Psd2AccessRefused = "psd2.access_refused";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        LoginSucceeded, LoginFailed, LockedOut, MfaEnrolled, MfaDisabled, MfaFailed, RecoveryCodeUsed, TokenReuse, PasswordChanged,
        UserCreated, RoleChanged, StatusChanged, UserDeleted, UserUnlocked, ProfileChanged, AccessGranted, AccessRevoked, BalanceAdjusted, LimitsChanged,
        ReviewDecided, RescreeningScheduled, MonitoringRulesChanged, CreditReviewRequested, CreditReviewDecided, CreditProductChanged,
        ReconciliationItemResolved, FiscalPeriodCreated, FiscalPeriodClosed, FiscalPeriodReopened, LedgerMonthArchived,
        ExternalLoginLinked, DataRequestReceived, DataRequestCompleted, DataRequestRejected, PersonErased, PersonalDataShredded, DataExportDownloaded, TppRegistered, TppRevoked, ConsentReceived, ConsentAuthorised, ConsentRevoked, ConsentTerminated, Psd2Accessed, Psd2AccessRefused,
    };
}

/// <summary>
/// Appends events to the audit trail. <see cref="Add"/> stages the row in the caller's unit of work, so
/// an administrative change and its record commit together or not at all.
/// </summary>
public sealed class AuditTrail(IHttpContextAccessor http, TimeProvider time)
{
    /// <param name="origin">Where the request came from, when the record is written away from it (by the money engine); else the current request.</param>
    public void Add(FinsoftDb db, string @event, Guid? actor, Guid? subject, object? details = null, AuditOrigin? origin = null)
    {
        origin ??= AuditOrigin.From(http.HttpContext);
        db.AuditEvents.Add(new AuditEventRow
        {
            Id = Guid.CreateVersion7(),
            CreatedAt = time.UtcNow(),
            Event = @event,
            ActorId = actor,
            SubjectId = subject,
            ClientAddress = origin.ClientAddress,
            RequestId = origin.RequestId,
            Details = details is null ? null : Json.Serialize(details),
        });
    }

    /// <summary>Records an event on its own (a failed login has no other write to ride with).</summary>
    public async Task RecordAsync(FinsoftDb db, string @event, Guid? actor, Guid? subject, object? details = null)
    {
        Add(db, @event, actor, subject, details);
        // Not the request's token: a client that hangs up must not stop the record of what it tried.
        await db.SaveChangesAsync(CancellationToken.None);
    }
}

/// <summary>The client address and request id an audit record carries.</summary>
public sealed record AuditOrigin(string? ClientAddress, string? RequestId)
{
    public static AuditOrigin From(HttpContext? context) => new(context?.Connection.RemoteIpAddress?.ToString(), context?.TraceIdentifier);
}
