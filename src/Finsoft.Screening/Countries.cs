namespace Finsoft.Screening;

/// <summary>
/// ISO 3166-1 alpha-2 country codes with their English short names and the other names lists use for them
/// (OFAC writes "nationality Russia", "Korea, North", "Burma"), so a profile's code and a list's name compare.
/// </summary>
public static class Countries
{
    // Code, then names separated by '/'; the first name is the ISO short name.
    private const string Table = """
        AD Andorra|AE United Arab Emirates/UAE|AF Afghanistan|AG Antigua and Barbuda|AI Anguilla|AL Albania|AM Armenia|AO Angola|AQ Antarctica
        AR Argentina|AS American Samoa|AT Austria|AU Australia|AW Aruba|AX Aland Islands|AZ Azerbaijan|BA Bosnia and Herzegovina|BB Barbados
        BD Bangladesh|BE Belgium|BF Burkina Faso|BG Bulgaria|BH Bahrain|BI Burundi|BJ Benin|BL Saint Barthelemy|BM Bermuda|BN Brunei Darussalam/Brunei
        BO Bolivia/Bolivia, Plurinational State of|BQ Bonaire, Sint Eustatius and Saba|BR Brazil|BS Bahamas/The Bahamas|BT Bhutan|BV Bouvet Island
        BW Botswana|BY Belarus|BZ Belize|CA Canada|CC Cocos (Keeling) Islands|CD Congo, Democratic Republic of the/Democratic Republic of the Congo
        CF Central African Republic|CG Congo/Republic of the Congo/Congo, Republic of the|CH Switzerland|CI Cote d'Ivoire/Ivory Coast|CK Cook Islands|CL Chile
        CM Cameroon|CN China|CO Colombia|CR Costa Rica|CU Cuba|CV Cabo Verde/Cape Verde|CW Curacao|CX Christmas Island|CY Cyprus|CZ Czechia/Czech Republic
        DE Germany|DJ Djibouti|DK Denmark|DM Dominica|DO Dominican Republic|DZ Algeria|EC Ecuador|EE Estonia|EG Egypt|EH Western Sahara|ER Eritrea
        ES Spain|ET Ethiopia|FI Finland|FJ Fiji|FK Falkland Islands|FM Micronesia/Micronesia, Federated States of|FO Faroe Islands|FR France|GA Gabon
        GB United Kingdom/United Kingdom of Great Britain and Northern Ireland/Great Britain/UK|GD Grenada|GE Georgia|GF French Guiana|GG Guernsey
        GH Ghana|GI Gibraltar|GL Greenland|GM Gambia/The Gambia|GN Guinea|GP Guadeloupe|GQ Equatorial Guinea|GR Greece
        GS South Georgia and the South Sandwich Islands|GT Guatemala|GU Guam|GW Guinea-Bissau|GY Guyana|HK Hong Kong|HM Heard Island and McDonald Islands
        HN Honduras|HR Croatia|HT Haiti|HU Hungary|ID Indonesia|IE Ireland|IL Israel|IM Isle of Man|IN India|IO British Indian Ocean Territory|IQ Iraq
        IR Iran/Iran, Islamic Republic of|IS Iceland|IT Italy|JE Jersey|JM Jamaica|JO Jordan|JP Japan|KE Kenya|KG Kyrgyzstan|KH Cambodia|KI Kiribati
        KM Comoros|KN Saint Kitts and Nevis|KP North Korea/Korea, North/Korea, Democratic People's Republic of|KR South Korea/Korea, South/Korea, Republic of
        KW Kuwait|KY Cayman Islands|KZ Kazakhstan|LA Laos/Lao People's Democratic Republic|LB Lebanon|LC Saint Lucia|LI Liechtenstein|LK Sri Lanka
        LR Liberia|LS Lesotho|LT Lithuania|LU Luxembourg|LV Latvia|LY Libya|MA Morocco|MC Monaco|MD Moldova/Moldova, Republic of|ME Montenegro
        MF Saint Martin|MG Madagascar|MH Marshall Islands|MK North Macedonia/Macedonia|ML Mali|MM Myanmar/Burma|MN Mongolia|MO Macao/Macau
        MP Northern Mariana Islands|MQ Martinique|MR Mauritania|MS Montserrat|MT Malta|MU Mauritius|MV Maldives|MW Malawi|MX Mexico|MY Malaysia
        MZ Mozambique|NA Namibia|NC New Caledonia|NE Niger|NF Norfolk Island|NG Nigeria|NI Nicaragua|NL Netherlands/The Netherlands|NO Norway|NP Nepal
        NR Nauru|NU Niue|NZ New Zealand|OM Oman|PA Panama|PE Peru|PF French Polynesia|PG Papua New Guinea|PH Philippines|PK Pakistan|PL Poland
        PM Saint Pierre and Miquelon|PN Pitcairn|PR Puerto Rico|PS Palestine/Palestine, State of/West Bank/Gaza|PT Portugal|PW Palau|PY Paraguay|QA Qatar
        RE Reunion|RO Romania|RS Serbia|RU Russia/Russian Federation|RW Rwanda|SA Saudi Arabia|SB Solomon Islands|SC Seychelles|SD Sudan|SE Sweden
        SG Singapore|SH Saint Helena|SI Slovenia|SJ Svalbard and Jan Mayen|SK Slovakia|SL Sierra Leone|SM San Marino|SN Senegal|SO Somalia|SR Suriname
        SS South Sudan|ST Sao Tome and Principe|SV El Salvador|SX Sint Maarten|SY Syria/Syrian Arab Republic|SZ Eswatini/Swaziland|TC Turks and Caicos Islands
        TD Chad|TF French Southern Territories|TG Togo|TH Thailand|TJ Tajikistan|TK Tokelau|TL Timor-Leste/East Timor|TM Turkmenistan|TN Tunisia|TO Tonga
        TR Turkey/Turkiye|TT Trinidad and Tobago|TV Tuvalu|TW Taiwan|TZ Tanzania/Tanzania, United Republic of|UA Ukraine|UG Uganda
        UM United States Minor Outlying Islands|US United States/United States of America/USA|UY Uruguay|UZ Uzbekistan|VA Holy See/Vatican City
        VC Saint Vincent and the Grenadines|VE Venezuela/Venezuela, Bolivarian Republic of|VG British Virgin Islands/Virgin Islands, British
        VI U.S. Virgin Islands/Virgin Islands, U.S.|VN Vietnam/Viet Nam|VU Vanuatu|WF Wallis and Futuna|WS Samoa|YE Yemen|YT Mayotte|ZA South Africa
        ZM Zambia|ZW Zimbabwe
        """;

    private static readonly Dictionary<string, string> CodeByName = Build();

    private static readonly HashSet<string> Codes = [.. CodeByName.Values];

    /// <summary>Whether the text is an assigned ISO 3166-1 alpha-2 code (any case).</summary>
    public static bool IsCode(string text) => text.Length == 2 && Codes.Contains(text.ToUpperInvariant());

    /// <summary>The alpha-2 code for a code or a name a list uses; null when it names no country known here.</summary>
    public static string? ToCode(string text)
    {
        var trimmed = text.Trim();
        return IsCode(trimmed) ? trimmed.ToUpperInvariant() : CodeByName.GetValueOrDefault(Key(trimmed));
    }

    private static Dictionary<string, string> Build()
    {
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in Table.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            foreach (var country in line.Split('|'))
            {
                var code = country[..2];
                foreach (var name in country[3..].Split('/'))
                {
                    byName[Key(name)] = code;
                }
            }
        }
        return byName;
    }

    private static string Key(string name) => string.Join(' ', NameNormalizer.Tokens(name));
}
