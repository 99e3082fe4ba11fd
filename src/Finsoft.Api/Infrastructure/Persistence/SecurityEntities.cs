namespace Finsoft.Api.Infrastructure.Persistence;

/// <summary>A refresh token already exchanged: presenting it again means it leaked, and its whole family (session) is ended.</summary>
public sealed class UsedRefreshTokenRow
{
    public required string TokenHash { get; set; }
    public Guid SessionId { get; set; }
    public DateTime UsedAt { get; set; }
}

public sealed class MfaRecoveryCodeRow
{
    public Guid UserId { get; set; }
    public required string CodeHash { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? UsedAt { get; set; }
}

/// <summary>
/// A user's one live SMS code: for what (enrol, sign_in or confirm), to which phone, until when; the code and the
/// phone encrypted. <see cref="Sends"/> counts the codes sent since <see cref="WindowStart"/>, which limits how often one is sent.
/// </summary>
public sealed class MfaSmsCodeRow
{
    public Guid UserId { get; set; }
    public required string Purpose { get; set; }
    public required string Phone { get; set; }
    public required string Code { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime SentAt { get; set; }
    public DateTime WindowStart { get; set; }
    public int Sends { get; set; }
}

/// <summary>
/// Seed 003's profile, with what screening compares (birth date, country). CUIT, phone and birth date are ciphertext;
/// the CUIT's keyed hash keeps it unique without storing it plain.
/// </summary>
public sealed class UserProfileRow
{
    public Guid UserId { get; set; }
    public string? Cuit { get; set; }
    public string? CuitHash { get; set; }
    public string? Phone { get; set; }
    public string? Company { get; set; }
    public string? BirthDate { get; set; }
    /// <summary>ISO 3166-1 alpha-2 country of residence.</summary>
    public string? Country { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A joint holder: <see cref="UserId"/> may use <see cref="AccountId"/> as its own, by an admin's grant.</summary>
public sealed class AccountGrantRow
{
    public Guid AccountId { get; set; }
    public Guid UserId { get; set; }
    public Guid GrantedBy { get; set; }
    public DateTime GrantedAt { get; set; }
}

/// <summary>One security or administrative event. The database refuses updates and deletes of these rows.</summary>
public sealed class AuditEventRow : Http.IKeyedRow
{
    public Guid Id { get; set; }
    public DateTime CreatedAt { get; set; }
    public required string Event { get; set; }
    public Guid? ActorId { get; set; }
    public Guid? SubjectId { get; set; }
    public string? ClientAddress { get; set; }
    public string? RequestId { get; set; }

    /// <summary>A small JSON object with what else the event needs (old and new role, the email tried, …); never a secret.</summary>
    public string? Details { get; set; }
}

public sealed class DataProtectionKeyRow
{
    public required string Name { get; set; }
    public required string Xml { get; set; }
}

public sealed class ProtectedSecretRow
{
    public required string Name { get; set; }
    public required string Value { get; set; }
}

/// <summary>An external OpenID Connect provider's subject, linked to the local user it signs in as.</summary>
public sealed class ExternalLoginRow
{
    public required string Provider { get; set; }
    public required string Subject { get; set; }
    public Guid UserId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
}
