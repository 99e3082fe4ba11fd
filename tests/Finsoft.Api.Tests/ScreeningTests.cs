using System.Net;
using System.Text;
using Finsoft.Api.Tests.Infrastructure;
using Finsoft.Screening;
using Finsoft.Screening.Formats;

namespace Finsoft.Api.Tests;

/// <summary>Watch lists in OFAC's and OpenSanctions' formats, and names screened against them. Every listed name here is invented.</summary>
public abstract class ScreeningTests(DatabaseKind kind)
{
    public const string SdnCsv = """
        9001,"KARIMOV, Rustam Aliyevich","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 14 Mar 1971; POB Tashkent; nationality Uzbekistan."
        9002,"ORION MARITIME HOLDINGS LTD.","-0- ","IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Website www.orion-maritime.example."
        9003,"AL-NAJJAR, Yusuf","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1968; alt. DOB 1969; citizen Syria."
        9004,"STELLA DEL MAR","vessel","IRAN",-0- ,"9HXY7","Crude Oil Tanker",-0- ,-0- ,"Panama","ORION MARITIME HOLDINGS LTD.",-0-
        """;

    public const string AltCsv = """
        9001,101,"aka","QARIMOV, Rustam",-0-
        9003,102,"aka","NAJAR, Yousef",-0-
        9999,103,"aka","NOBODY, Listed",-0-
        """;

    public const string FtmJsonl = """
        {"id":"os-1","schema":"Person","properties":{"name":["Светлана Павловна Орлова"],"alias":["Svetlana Orlova"],"birthDate":["1980-07-02"],"country":["ru"]}}
        {"id":"os-2","schema":"Company","properties":{"name":["Caspian Sun Trading LLC"],"country":["ae"]}}
        """;

    [DbFact]
    public async Task Aliases_added_to_a_list_already_in_use_are_screened_against_at_once()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var analyst = await api.CreateUserAsync(admin.Token, "analyst");
        async Task<string> ScreenAsync(string name) => (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/aml/screenings",
            new { entity_type = "name", name }, analyst.Token)).GetProperty("status").GetString()!;
        await LoadAsync(api, admin.Token, "ofac", "ofac-sdn-csv", """
            8001,"PETROV, Ivan Sergeyevich","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0-
            """);
        Assert.Equal("clear", await ScreenAsync("Black Falcon")); // this node's index is built now, before the aliases
        await LoadAsync(api, admin.Token, "ofac", "ofac-alt-csv", """
            8001,201,"aka","BLACK FALCON",-0-
            """);
        Assert.Equal("potential_match", await ScreenAsync("Black Falcon"));
    }

    [DbFact]
    public async Task Listed_names_are_found_through_typos_reordering_aliases_and_scripts_and_others_clear()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var analyst = await api.CreateUserAsync(admin.Token, "analyst");
        var customer = await api.RegisterAsync();
        Assert.Equal(1, (await LoadAsync(api, admin.Token, "ofac", "ofac-sdn-csv", SdnCsv)).GetProperty("version").GetInt32());
        await LoadAsync(api, admin.Token, "ofac", "ofac-alt-csv", AltCsv);
        await LoadAsync(api, admin.Token, "opensanctions", "ftm-jsonl", FtmJsonl);

        async Task<(string Status, string Entries)> ScreenAsync(string name, string? birthDate = null)
        {
            var screening = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/aml/screenings",
                new { entity_type = "name", name, birth_date = birthDate }, analyst.Token);
            return (screening.GetProperty("status").GetString()!,
                string.Join(',', screening.GetProperty("matches").EnumerateArray().Select(m => m.GetProperty("entry_id").GetString())));
        }
        Assert.Equal(("potential_match", "9001"), await ScreenAsync("Rustam Karimov"));
        Assert.Equal(("potential_match", "9001"), await ScreenAsync("Rustam Karimow", "1971-03-14")); // a typo, the same birth date
        Assert.Equal(("potential_match", "9001"), await ScreenAsync("Qarimov Rustam")); // an alias from alt.csv
        Assert.Equal(("potential_match", "9003"), await ScreenAsync("Yousef Najar"));
        Assert.Equal(("potential_match", "os-1"), await ScreenAsync("Svetlana Orlova"));
        Assert.Equal(("potential_match", "os-1"), await ScreenAsync("Орлова Светлана"));
        Assert.Equal(("potential_match", "9002"), await ScreenAsync("Orion Maritime Holdings Limited"));
        Assert.Equal(("clear", ""), await ScreenAsync("Rustam Karimov", "1990-01-01")); // a namesake born twenty years later
        Assert.Equal(("clear", ""), await ScreenAsync("Maria Fernanda Lopez"));
        Assert.Equal(("clear", ""), await ScreenAsync("Rustam Petrov"));

        // A user is screened by the name it registered with; screenings are kept with the list versions used.
        var user = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/aml/screenings",
            new { entity_type = "user", entity_id = customer.UserId }, analyst.Token);
        Assert.Equal(customer.UserId, user.GetProperty("entity_id").GetGuid());
        Assert.Equal(2, user.GetProperty("list_versions").GetArrayLength());
        var id = user.GetProperty("id").GetGuid();
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/aml/screenings/{id}", token: analyst.Token);
        // Newest first: the analyst's, then the one made when the customer registered.
        var mine = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/aml/screenings?entity_id={customer.UserId}", token: analyst.Token);
        Assert.Equal(2, mine.GetArrayLength());
        Assert.Equal(id, mine[0].GetProperty("id").GetGuid());
        var matched = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/aml/screenings?status=potential_match", token: analyst.Token);
        Assert.Equal(7, matched.GetArrayLength());

        // A new load is a new version; the old one stays listed.
        Assert.Equal(2, (await LoadAsync(api, admin.Token, "ofac", "ofac-sdn-csv", SdnCsv.Split('\n')[0])).GetProperty("version").GetInt32());
        Assert.Equal(("clear", ""), await ScreenAsync("Yousef Najar"));
        var versions = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/aml/watchlists", token: analyst.Token);
        Assert.Equal(3, versions.GetArrayLength());

        // Customers see none of it; bad files and requests are clear 4xx.
        Assert.Equal(HttpStatusCode.Forbidden, (await api.SendAsync(HttpMethod.Post, "/api/v1/aml/screenings", new { entity_type = "name", name = "x" }, customer.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/api/v1/aml/watchlists", customer.Token)).StatusCode);
        await ApiClient.AssertProblemAsync(await PostFileAsync(api, admin.Token, "ofac", "ofac-sdn-csv", "9001\n"), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await PostFileAsync(api, admin.Token, "ofac", "pdf", SdnCsv), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await PostFileAsync(api, admin.Token, "fresh", "ofac-alt-csv", AltCsv), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/aml/screenings", new { entity_type = "user", entity_id = Guid.NewGuid() }, analyst.Token),
            HttpStatusCode.NotFound);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/aml/screenings", new { entity_type = "planet", name = "x" }, analyst.Token),
            HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/aml/screenings", new { entity_type = "name", name = "x", birth_date = "14/03/1971" },
            analyst.Token), HttpStatusCode.UnprocessableEntity);
    }

    public static async Task<System.Text.Json.JsonElement> LoadAsync(ApiClient api, string token, string source, string format, string file)
    {
        using var response = await PostFileAsync(api, token, source, format, file);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await ApiClient.BodyAsync(response);
    }

    private static async Task<HttpResponseMessage> PostFileAsync(ApiClient api, string token, string source, string format, string file)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/aml/watchlists?source={source}&format={format}")
        {
            Content = new StringContent(file, Encoding.UTF8, "text/csv"),
        };
        request.Headers.Authorization = new("Bearer", token);
        return await api.Http.SendAsync(request);
    }
}

public sealed class ScreeningTestsOnSqlite() : ScreeningTests(DatabaseKind.Sqlite);

public sealed class ScreeningTestsOnPostgres() : ScreeningTests(DatabaseKind.Postgres), IPostgresTests;

/// <summary>Name matching and the list formats, without a database.</summary>
public sealed class NameScreeningTests
{
    [Fact]
    public void Names_are_compared_in_one_script_case_and_order_without_noise_words()
    {
        Assert.Equal(["rustam", "karimov"], NameNormalizer.Tokens("KARIMOV, Rustam").Reverse());
        Assert.Equal(["muler", "jose"], NameNormalizer.Tokens("Müller, José")); // accents gone, double letters folded
        Assert.Equal(NameNormalizer.Tokens("Jamil Hassanov"), NameNormalizer.Tokens("Dzhamil Khasanov")); // transliteration spellings folded
        Assert.Equal(["svetlana", "orlova"], NameNormalizer.Tokens("Светлана Орлова"));
        Assert.Equal(["orion", "maritime", "holdings"], NameNormalizer.Tokens("Orion Maritime Holdings, Ltd."));
        Assert.Equal(["obrien"], NameNormalizer.Tokens("O'Brien"));
        Assert.Equal(["najar", "iusuf"], NameNormalizer.Tokens("AL-NAJJAR, Yusuf"));
        // A listed middle name the question leaves out costs a little; a rare one (weighted by the index) less.
        Assert.True(NameSimilarity.Score(NameNormalizer.Tokens("Rustam Karimov"), NameNormalizer.Tokens("KARIMOV, Rustam Aliyevich")) > 0.85);
        Assert.True(NameSimilarity.Score(NameNormalizer.Tokens("Rustam Karimow"), NameNormalizer.Tokens("KARIMOV, Rustam")) > 0.9);
        Assert.True(NameSimilarity.Score(NameNormalizer.Tokens("Peter Karlsson"), NameNormalizer.Tokens("KARIMOV, Rustam")) < 0.7);
    }

    [Fact]
    public void Ofac_and_followthemoney_files_are_read_with_their_identifiers()
    {
        var sdn = OfacCsv.ReadSdn(new StringReader(ScreeningTests.SdnCsv));
        Assert.Equal(4, sdn.Count);
        Assert.Equal(("9001", EntryKind.Person, "KARIMOV, Rustam Aliyevich", "1971-03-14", "Uzbekistan"),
            (sdn[0].EntryId, sdn[0].Kind, sdn[0].PrimaryName, sdn[0].BirthDates.Single(), sdn[0].Countries.Single()));
        Assert.Equal(EntryKind.Organization, sdn[1].Kind);
        Assert.Equal(["1968", "1969"], sdn[2].BirthDates);
        Assert.Equal(["Syria"], sdn[2].Countries);
        Assert.Equal(EntryKind.Vessel, sdn[3].Kind);
        var aliased = OfacCsv.AddAliases(sdn, new StringReader(ScreeningTests.AltCsv));
        Assert.Equal(["KARIMOV, Rustam Aliyevich", "QARIMOV, Rustam"], aliased[0].Names);
        Assert.DoesNotContain(aliased, e => e.Names.Contains("NOBODY, Listed"));

        var ftm = Finsoft.Screening.Formats.FtmJsonl.Read(new StringReader(ScreeningTests.FtmJsonl));
        Assert.Equal(("os-1", EntryKind.Person, 2, "1980-07-02", "ru"),
            (ftm[0].EntryId, ftm[0].Kind, ftm[0].Names.Count, ftm[0].BirthDates.Single(), ftm[0].Countries.Single()));

        Assert.Throws<FormatException>(() => OfacCsv.ReadSdn(new StringReader("9001\n")));
        Assert.Throws<FormatException>(() => OfacCsv.ReadSdn(new StringReader("\"9001,\"unterminated\n")));
        Assert.Throws<FormatException>(() => Finsoft.Screening.Formats.FtmJsonl.Read(new StringReader("{\"id\":\"x\"}\n")));
        Assert.Throws<FormatException>(() => Finsoft.Screening.Formats.FtmJsonl.Read(new StringReader("not json\n")));
    }
}
