namespace Finsoft.Screening;

/// <summary>
/// One listed person, organisation, vessel or aircraft as a watch list publishes it: the source's own id, every
/// name it is known by (the first is the primary one), and the identifiers that tell namesakes apart.
/// Birth dates are "yyyy" or "yyyy-mm-dd"; countries are as the source writes them (ISO codes or names).
/// </summary>
public sealed record WatchlistEntry(string EntryId, string Kind, IReadOnlyList<string> Names, IReadOnlyList<string> BirthDates,
    IReadOnlyList<string> Countries, string? Programs)
{
    public string PrimaryName => Names.Count > 0 ? Names[0] : "";
}

public static class EntryKind
{
    public const string Person = "person";
    public const string Organization = "organization";
    public const string Vessel = "vessel";
    public const string Aircraft = "aircraft";
}
