using System.Text.Json;

namespace Finsoft.Screening.Formats;

/// <summary>
/// OpenSanctions' FollowTheMoney entities, one JSON object a line: `id`, `schema` (Person, Organization,
/// Company, LegalEntity, Vessel, Airplane …) and `properties` with `name`, `alias`, `weakAlias`,
/// `birthDate`, `country`, `nationality`, `program` — each a list of strings.
/// </summary>
public static class FtmJsonl
{
    public static IReadOnlyList<WatchlistEntry> Read(TextReader jsonl)
    {
        var entries = new List<WatchlistEntry>();
        var number = 0;
        while (jsonl.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                var id = root.GetProperty("id").GetString();
                var properties = root.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
                var names = Strings(properties, "name").Concat(Strings(properties, "alias")).Concat(Strings(properties, "weakAlias"))
                    .Distinct(StringComparer.Ordinal).ToList();
                if (string.IsNullOrWhiteSpace(id) || names.Count == 0)
                {
                    throw new FormatException($"line {number}: an entity needs an id and a name.");
                }
                entries.Add(new WatchlistEntry(id, KindOf(root.TryGetProperty("schema", out var s) ? s.GetString() : null), names,
                    Strings(properties, "birthDate").Select(d => d.Length >= 10 ? d[..10] : d[..Math.Min(4, d.Length)]).ToList(),
                    Strings(properties, "country").Concat(Strings(properties, "nationality")).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
                    string.Join("; ", Strings(properties, "program")) is { Length: > 0 } programs ? programs : null));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new FormatException($"line {number}: not a FollowTheMoney entity ({e.Message}).");
            }
        }
        return entries;
    }

    private static IEnumerable<string> Strings(JsonElement properties, string name) =>
        properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var values) && values.ValueKind == JsonValueKind.Array
            ? values.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!.Trim()).Where(v => v.Length > 0)
            : [];

    private static string KindOf(string? schema) => schema switch
    {
        "Person" => EntryKind.Person,
        "Vessel" => EntryKind.Vessel,
        "Airplane" => EntryKind.Aircraft,
        _ => EntryKind.Organization,
    };
}
