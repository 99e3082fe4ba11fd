using System.Text.Json;
using System.Text.Json.Serialization;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;

namespace Finsoft.Api.Features.Psd2;

/// <summary>A consent's states, with the Berlin Group's names: received → valid → expired | revokedByPsu | terminatedByTpp.</summary>
public static class ConsentStatus
{
    public const string Received = "received";
    public const string Valid = "valid";
    public const string Expired = "expired";
    public const string RevokedByPsu = "revokedByPsu";
    public const string TerminatedByTpp = "terminatedByTpp";

    public static readonly IReadOnlyList<string> All = [Received, Valid, Expired, RevokedByPsu, TerminatedByTpp];

    public static bool IsLive(string status) => status is Received or Valid;
}

/// <summary>The kinds of access a consent grants, each to a list of accounts.</summary>
public static class AccessKind
{
    public const string Accounts = "accounts";
    public const string Balances = "balances";
    public const string Transactions = "transactions";
}

/// <summary>What a consent grants: account details, balances and transactions, each of the accounts listed.</summary>
public sealed record ConsentAccess(List<Guid>? Accounts, List<Guid>? Balances, List<Guid>? Transactions)
{
    public const int MaxAccounts = 50;

    /// <summary>Every account the consent names: those a TPP may see in the account list.</summary>
    [JsonIgnore]
    public IReadOnlyList<Guid> AllAccounts => (Accounts ?? []).Concat(Balances ?? []).Concat(Transactions ?? []).Distinct().ToList();

    public bool Grants(string kind, Guid account) => kind switch
    {
        AccessKind.Accounts => AllAccounts.Contains(account),
        AccessKind.Balances => Balances?.Contains(account) == true,
        AccessKind.Transactions => Transactions?.Contains(account) == true,
        _ => false,
    };

    public static ConsentAccess Of(ConsentRow consent) => JsonSerializer.Deserialize<ConsentAccess>(consent.Access, Json.Options)!;

    public string ToJson() => Json.Serialize(new ConsentAccess(Distinct(Accounts), Distinct(Balances), Distinct(Transactions)));

    private static List<Guid> Distinct(List<Guid>? ids) => (ids ?? []).Distinct().ToList();
}

public sealed record Link(string Href);

/// <summary>Where the customer goes to authorise a consent, and where it is sent back to afterwards.</summary>
public sealed record ConsentLinks(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Link? ScaRedirect = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Link? TppRedirect = null);

/// <summary>A consent as its TPP and its customer see it.</summary>
public sealed record ConsentDto(
    Guid ConsentId, string ConsentStatus, ConsentAccess Access, bool RecurringIndicator, DateOnly ValidUntil, int FrequencyPerDay,
    ConsentDto.TppSummary Tpp, DateTime CreatedAt, DateTime? AuthorisedAt, DateTime StatusChangedAt, DateTime? LastActionAt,
    [property: JsonPropertyName("_links"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ConsentLinks? Links = null)
{
    public sealed record TppSummary(Guid Id, string Name);

    public static ConsentDto From(ConsentRow c, TppRow tpp, ConsentLinks? links = null) => new(
        c.Id, c.Status, ConsentAccess.Of(c), c.RecurringIndicator, c.ValidUntil, c.FrequencyPerDay, new TppSummary(tpp.Id, tpp.Name),
        c.CreatedAt, c.AuthorisedAt, c.StatusChangedAt, c.LastActionAt, links);
}
