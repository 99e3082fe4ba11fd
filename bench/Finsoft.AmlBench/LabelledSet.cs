using System.Text;
using Finsoft.Screening;

namespace Finsoft.AmlBench;

/// <summary>A query, and the entry it should find (null: it should find nothing).</summary>
public sealed record Labelled(string Variant, ScreeningQuery Query, string? Expected);

/// <summary>
/// A watch list of invented people and companies, and questions about it written the ways names reach a
/// screening in practice: exact, with a typo or two, "LAST, First", accents, written in Cyrillic, a first
/// name cut to its initial, a middle name left out, words run together, another company suffix — and
/// look-alikes that must not match: someone else with the same surname, a namesake born in another year.
/// Every name is made from the word lists below under a fixed seed; none is copied from a real list.
/// </summary>
public static class LabelledSet
{
    private static readonly string[] Given =
    [
        "james", "maria", "ahmed", "olga", "wei", "fatima", "juan", "yuki", "ivan", "amina", "carlos", "elena", "mohammed", "sofia", "dmitri",
        "aisha", "pedro", "natalia", "omar", "lucia", "sergei", "leila", "jorge", "irina", "hassan", "camila", "viktor", "zainab", "miguel", "tatiana",
        "ali", "isabel", "nikolai", "mariam", "diego", "svetlana", "yusuf", "valentina", "alexei", "khadija", "rafael", "anastasia", "karim", "beatriz",
        "boris", "salma", "fernando", "ekaterina", "tariq", "gabriela", "mikhail", "nadia", "ricardo", "yulia", "samir", "adriana", "pavel", "huda",
        "eduardo", "ksenia", "bilal", "veronica", "andrei", "rania", "alberto", "polina", "faisal", "daniela", "grigori", "noor", "hiroshi", "mei",
        "kenji", "li", "chen", "jun", "akira", "hana", "thomas", "emily", "william", "charlotte", "henry", "olivia", "george", "amelia", "arthur",
        "grace", "oscar", "lily", "jacob", "chloe", "edward", "ruby", "frederick", "alice", "patrick", "nora", "kwame", "abena", "chidi", "ngozi",
        "tunde", "folake", "kofi", "ama", "sibusiso", "thandiwe", "rashid", "yasmin", "hamza", "dina", "youssef", "lina", "anwar", "rasha",
    ];

    private static readonly string[] Family =
    [
        "garcia", "petrov", "haddad", "ivanova", "zhang", "rahman", "lopez", "tanaka", "smirnov", "okafor", "fernandez", "kuznetsova", "hussein",
        "martinez", "volkov", "nasser", "rodriguez", "sokolova", "khalil", "gonzalez", "popov", "farouk", "sanchez", "lebedeva", "mansour",
        "ramirez", "kozlov", "saleh", "torres", "novikova", "aziz", "flores", "morozov", "qureshi", "rivera", "pavlova", "siddiqui", "gomez",
        "fedorov", "karimi", "diaz", "mikhailova", "hashemi", "reyes", "orlov", "tehrani", "cruz", "vasiliev", "jaber", "morales", "zaitsev",
        "barakat", "ortiz", "belov", "darwish", "gutierrez", "egorova", "hamdan", "chavez", "kovalenko", "suleiman", "ruiz", "bondarenko",
        "yamamoto", "alvarez", "tkachenko", "nakamura", "castillo", "shevchenko", "kobayashi", "jimenez", "melnyk", "watanabe", "moreno",
        "kravchenko", "suzuki", "herrera", "oliynyk", "takahashi", "medina", "lysenko", "wang", "vargas", "rudenko", "liu", "castro", "savchenko",
        "huang", "romero", "marchenko", "zhao", "navarro", "tymoshenko", "wu", "guerrero", "boyko", "zhou", "aguilar", "kovalchuk", "xu", "mendoza",
        "smith", "johnson", "williams", "brown", "jones", "miller", "davis", "wilson", "anderson", "taylor", "thomas", "moore", "jackson", "white",
        "harris", "martin", "thompson", "clarke", "lewis", "walker", "hall", "allen", "young", "king", "wright", "scott", "green", "baker",
        "adams", "nelson", "hill", "campbell", "mitchell", "roberts", "carter", "phillips", "evans", "turner", "mensah", "owusu", "adeyemi",
        "nwosu", "boateng", "asante", "mokoena", "dlamini", "nkosi", "abubakar", "bello", "chukwu", "eze", "oyelaran", "abdullah", "alrashid",
        "bakr", "ghazali", "hakimi", "idris", "jamil", "kassem", "latif", "mahmoud", "najjar", "obeid", "qasim", "rizk", "sabbagh", "tamimi",
    ];

    private static readonly string[] CompanyWords =
    [
        "global", "trading", "shipping", "petro", "united", "eastern", "golden", "star", "ocean", "energy", "holdings", "industrial", "royal",
        "pacific", "atlas", "crescent", "falcon", "delta", "orion", "summit", "horizon", "phoenix", "meridian", "zenith", "sahara", "baltic",
        "caspian", "andes", "nile", "volga", "emerald", "silver", "iron", "cedar", "lotus", "jade", "amber", "coral", "titan", "vector",
        "nova", "apex", "vertex", "pioneer", "liberty", "harbor", "bridge", "capital", "logistics", "marine", "metals", "chemicals", "aviation",
    ];

    /// <summary>Syllables for invented surnames and brand names, so the list has as many distinct names as a real one.</summary>
    private static readonly string[] Syllables =
    [
        "ka", "ro", "mi", "ven", "tal", "dor", "sa", "li", "bar", "no", "zel", "fa", "gor", "ti", "mar", "ne", "vos", "ra", "pel", "du",
        "han", "ki", "lor", "be", "sun", "ta", "gal", "mo", "rin", "ze", "kas", "lu", "ber", "vi", "nad", "to", "ral", "shi", "mek", "ja",
    ];

    private static readonly string[] SurnameEndings = ["ov", "ova", "ez", "ski", "son", "i", "ian", "enko", "escu", "ani", "er", "ada"];

    private static readonly string[] Suffixes = ["LLC", "LTD", "S.A.", "GmbH", "Inc.", "Corp.", "S.A. de C.V.", "PJSC", "Co."];

    private static readonly string[] Countries = ["IR", "RU", "KP", "SY", "VE", "CU", "MX", "AE", "CN", "TR", "LB", "IQ"];

    public static (List<WatchlistEntry> Entries, List<Labelled> Queries) Build(int entries, int queries, int seed)
    {
        var random = new Random(seed);
        var list = new List<WatchlistEntry>(entries);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        while (list.Count < entries)
        {
            var id = (list.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (random.Next(5) == 0)
            {
                var brand = Invented(random, random.Next(2, 4));
                var words = new List<string> { brand, Pick(random, CompanyWords) };
                var name = Title(string.Join(' ', words)) + " " + Pick(random, Suffixes);
                if (taken.Add(brand))
                {
                    list.Add(new WatchlistEntry(id, EntryKind.Organization, [name], [], random.Next(2) == 0 ? [Pick(random, Countries)] : [], "TEST"));
                }
                continue;
            }
            var given = Pick(random, Given);
            var middle = random.Next(3) == 0 ? Pick(random, Given) : null;
            var family = random.Next(3) == 0 ? Pick(random, Family) : Invented(random, random.Next(2, 4)) + Pick(random, SurnameEndings);
            // One listed person per surname and initial, so "J. Smith" names one of them: the list is of distinct people.
            if (!taken.Add($"{family} {given[0]}"))
            {
                continue;
            }
            var listed = middle is null ? $"{family.ToUpperInvariant()}, {Title(given)}" : $"{family.ToUpperInvariant()}, {Title(given)} {Title(middle)}";
            var born = random.Next(10) < 8 ? new DateOnly(1940 + random.Next(60), 1 + random.Next(12), 1 + random.Next(28)).ToString("yyyy-MM-dd") : null;
            list.Add(new WatchlistEntry(id, EntryKind.Person, [listed], born is null ? [] : [born], random.Next(2) == 0 ? [Pick(random, Countries)] : [], "TEST"));
        }

        var labelled = new List<Labelled>(queries);
        while (labelled.Count < queries)
        {
            var entry = list[random.Next(list.Count)];
            var person = entry.Kind == EntryKind.Person;
            var tokens = person ? PersonWords(entry.PrimaryName) : [];
            var born = entry.BirthDates.FirstOrDefault();
            var negative = random.Next(3) == 0;
            if (negative)
            {
                if (person && born is not null && random.Next(2) == 0)
                {
                    // A namesake: the same name, born in another year.
                    var other = $"{int.Parse(born[..4], System.Globalization.CultureInfo.InvariantCulture) + 3 + random.Next(20)}{born[4..]}";
                    labelled.Add(new("namesake", new ScreeningQuery(Title(string.Join(' ', tokens)), other), null));
                }
                else
                {
                    // Someone else with a listed surname: a first name of another initial than anyone listed under it.
                    var given = Pick(random, Given);
                    var family = person ? tokens[^1] : Pick(random, Family);
                    if (!taken.Contains($"{family} {given[0]}"))
                    {
                        labelled.Add(new("same surname", new ScreeningQuery($"{Title(given)} {Title(family)}"), null));
                    }
                }
                continue;
            }
            var (variant, name) = person ? PersonVariant(random, tokens) : CompanyVariant(random, entry.PrimaryName);
            labelled.Add(new(variant, new ScreeningQuery(name, person && random.Next(4) != 0 ? born : null), entry.EntryId));
        }
        return (list, labelled);
    }

    /// <summary>"FAMILY, Given Middle" → [given, middle, family].</summary>
    private static string[] PersonWords(string listed)
    {
        var parts = listed.Split(", ");
        return [.. parts[1].ToLowerInvariant().Split(' '), parts[0].ToLowerInvariant()];
    }

    private static (string, string) PersonVariant(Random random, string[] words)
    {
        var given = words[0];
        var family = words[^1];
        return random.Next(9) switch
        {
            0 => ("exact", Title(string.Join(' ', words))),
            1 => ("typo", Title(string.Join(' ', words.Select((w, i) => i == words.Length - 1 ? Typo(random, w) : w)))),
            2 => ("two typos", Title($"{Typo(random, given)} {Typo(random, family)}")),
            3 => ("LAST, First", $"{family.ToUpperInvariant()}, {Title(given)}"),
            4 => ("accents", Accented(Title(string.Join(' ', words)))),
            5 => ("cyrillic", Cyrillic($"{given} {family}")),
            6 => ("initial", $"{char.ToUpperInvariant(given[0])}. {Title(family)}"),
            7 => ("no middle name", Title($"{given} {family}")),
            _ => ("run together", Title(given) + family),
        };
    }

    private static (string, string) CompanyVariant(Random random, string listed)
    {
        var words = NameNormalizer.Tokens(listed);
        return random.Next(4) switch
        {
            0 => ("exact", listed),
            1 => ("typo", Title(string.Join(' ', words.Select((w, i) => i == 0 ? Typo(random, w) : w)))),
            2 => ("other suffix", Title(string.Join(' ', words)) + " Limited"),
            _ => ("lower case, no suffix", string.Join(' ', words)),
        };
    }

    /// <summary>One slip of the hand: a letter dropped, doubled, swapped with the next, or replaced by a neighbour on the keyboard.</summary>
    private static string Typo(Random random, string word)
    {
        if (word.Length < 4)
        {
            return word;
        }
        var i = 1 + random.Next(word.Length - 2);
        return random.Next(4) switch
        {
            0 => word.Remove(i, 1),
            1 => word.Insert(i, word[i].ToString()),
            2 => string.Concat(word[..i], word[i + 1], word[i], word[(i + 2)..]),
            _ => string.Concat(word[..i], Neighbour(word[i]), word[(i + 1)..]),
        };
    }

    private static char Neighbour(char c) => "qwertyuiopasdfghjklzxcvbnm" is var keys && keys.IndexOf(c) is var at and >= 0
        ? keys[at == keys.Length - 1 ? at - 1 : at + 1]
        : c;

    private static string Accented(string name) => name.Replace('e', 'é').Replace('a', 'á').Replace('o', 'ö').Replace('u', 'ü');

    /// <summary>A rough Latin-to-Cyrillic rendering, as a name written in Russian would reach us.</summary>
    private static string Cyrillic(string latin)
    {
        var map = new (string Latin, string Cyrillic)[]
        {
            ("shch", "щ"), ("kh", "х"), ("zh", "ж"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"), ("yu", "ю"), ("ya", "я"), ("a", "а"), ("b", "б"),
            ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"), ("y", "й"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
            ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"), ("c", "к"), ("w", "в"), ("q", "к"),
            ("x", "кс"), ("j", "дж"),
        };
        var text = new StringBuilder();
        for (var i = 0; i < latin.Length;)
        {
            var hit = map.FirstOrDefault(m => string.CompareOrdinal(latin, i, m.Latin, 0, m.Latin.Length) == 0);
            if (hit.Latin is null)
            {
                text.Append(latin[i++]);
                continue;
            }
            text.Append(hit.Cyrillic);
            i += hit.Latin.Length;
        }
        return text.ToString();
    }

    private static string Invented(Random random, int syllables) => string.Concat(Enumerable.Range(0, syllables).Select(_ => Pick(random, Syllables)));

    private static string Pick(Random random, string[] words) => words[random.Next(words.Length)];

    private static string Title(string text) => string.Join(' ', text.Split(' ').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));
}
