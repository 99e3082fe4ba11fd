using System.Collections.Frozen;

namespace Finsoft.Ledger;

/// <summary>A participant of Mexico's SPEI system, named by the first three digits of a CLABE.</summary>
public sealed record MexicanBank(string Code, string Name)
{
    public static MexicanBank? Find(string code) => Banks.TryGetValue(code, out var bank) ? bank : null;

    /// <summary>The bank code Finsoft's own wallet CLABEs are issued under (an SPEI participant for fintechs).</summary>
    public const string FinsoftIssuerCode = "646";

    private static readonly FrozenDictionary<string, MexicanBank> Banks = new (string Code, string Name)[]
    {
        ("002", "Banamex"), ("006", "Bancomext"), ("009", "Banobras"), ("012", "BBVA Bancomer"),
        ("014", "Santander"), ("019", "Banjercito"), ("021", "HSBC"), ("030", "Bajío"),
        ("036", "Inbursa"), ("042", "Mifel"), ("044", "Scotiabank"), ("058", "Banregio"),
        ("059", "Invex"), ("060", "Bansi"), ("062", "Afirme"), ("072", "Banorte"),
        ("106", "Bank of America"), ("108", "MUFG"), ("110", "JP Morgan"), ("112", "Monex"),
        ("113", "Ve por Más"), ("127", "Banco Azteca"), ("128", "Autofin"), ("129", "Barclays"),
        ("130", "Compartamos"), ("132", "Multiva"), ("133", "Actinver"), ("135", "Nafin"),
        ("136", "Intercam Banco"), ("137", "BanCoppel"), ("138", "ABC Capital"), ("140", "Consubanco"),
        ("141", "Volkswagen Bank"), ("143", "CIBanco"), ("145", "Banco Base"), ("147", "Bankaool"),
        ("148", "PagaTodo"), ("150", "Inmobiliario Mexicano"), ("151", "Dondé"), ("152", "Bancrea"),
        ("154", "Banco Covalto"), ("155", "ICBC"), ("156", "Sabadell"), ("157", "Shinhan"),
        ("158", "Mizuho Bank"), ("159", "Bank of China"), ("160", "Banco S3"), ("166", "Banco del Bienestar"),
        ("168", "Hipotecaria Federal"), ("600", "Monex Casa de Bolsa"), ("601", "GBM"), ("602", "Masari"),
        ("605", "Value"), ("608", "Vector"), ("616", "Finamex"), ("617", "Valmex"),
        ("620", "Profuturo"), ("630", "Intercam Casa de Bolsa"), ("631", "CI Bolsa"), ("634", "Fincomún"),
        ("638", "Nu México"), ("646", "STP"), ("652", "Credicapital"), ("653", "Kuspit"),
        ("656", "Unagra"), ("659", "ASP Integra OPC"), ("661", "Alternativos"), ("670", "Libertad"),
        ("677", "Caja Popular Mexicana"), ("680", "Cristóbal Colón"), ("683", "Caja Telefonistas"), ("684", "Transfer"),
        ("685", "Fondo FIRA"), ("686", "Invercap"), ("689", "Fomped"), ("699", "Fondeadora"),
        ("703", "Tesored"), ("706", "Arcus"), ("710", "NVIO"), ("722", "Mercado Pago"),
        ("723", "Cuenca"), ("728", "Spin by OXXO"), ("902", "Indeval"),
    }.ToFrozenDictionary(b => b.Code, b => new MexicanBank(b.Code, b.Name), StringComparer.Ordinal);
}
