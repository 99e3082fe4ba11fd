namespace Finsoft.Api.Infrastructure.Persistence;

/// <summary>A third-party provider registered for PSD2 account information; only a hash of its client secret is kept.</summary>
public sealed class TppRow
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string ClientId { get; set; }
    public required string SecretHash { get; set; }

    /// <summary>Where the TPP may send a customer back to after authorisation, as a JSON array of absolute URIs.</summary>
    public required string RedirectUris { get; set; }
    public Guid CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

/// <summary>A consent a TPP asked for and a customer authorised (Berlin Group model); <see cref="Access"/> is its JSON access object.</summary>
public sealed class ConsentRow : Http.IKeyedRow
{
    public Guid Id { get; set; }
    public Guid TppId { get; set; }

    /// <summary>The customer who authorised it; none while it is only received.</summary>
    public Guid? UserId { get; set; }
    public required string Status { get; set; }
    public required string Access { get; set; }
    public bool RecurringIndicator { get; set; }
    public DateOnly ValidUntil { get; set; }
    public int FrequencyPerDay { get; set; }
    public string? TppRedirectUri { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? AuthorisedAt { get; set; }
    public DateTime StatusChangedAt { get; set; }
    public DateTime? LastActionAt { get; set; }
}

/// <summary>How many times a TPP read one account (the nil id: the account list) under one consent on one day, without the customer present.</summary>
public sealed class ConsentUsageRow
{
    public Guid ConsentId { get; set; }
    public Guid AccountId { get; set; }
    public DateOnly Day { get; set; }
    public int Calls { get; set; }
}
