using PdfSharp.Fonts;

namespace Finsoft.Api.Infrastructure.Documents;

/// <summary>
/// The fonts every PDF embeds (subset to the glyphs it uses), shipped inside the assembly so a document renders the same on
/// any machine: DejaVu Sans for Latin, Greek, Cyrillic and Arabic, Droid Sans Fallback for Chinese, Japanese and Korean.
/// </summary>
public sealed class DocumentFonts : IFontResolver
{
    /// <summary>The family for everything but CJK, regular and bold.</summary>
    public const string Sans = "Finsoft Sans";

    /// <summary>The family for CJK ideographs, kana and hangul (one weight; PDFsharp simulates bold).</summary>
    public const string Cjk = "Finsoft CJK";

    private static readonly Lock Gate = new();
    private static bool _registered;

    private static readonly Dictionary<string, string> Files = new(StringComparer.Ordinal)
    {
        ["sans"] = "DejaVuSans.ttf", ["sans-bold"] = "DejaVuSans-Bold.ttf", ["cjk"] = "DroidSansFallback.ttf",
    };

    /// <summary>Makes these fonts PDFsharp's, once per process (PDFsharp allows one resolver, set before the first font is made).</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (!_registered)
            {
                GlobalFontSettings.FontResolver = new DocumentFonts();
                _registered = true;
            }
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) => familyName switch
    {
        Sans => new FontResolverInfo(bold ? "sans-bold" : "sans", mustSimulateBold: false, mustSimulateItalic: italic),
        Cjk => new FontResolverInfo("cjk", mustSimulateBold: bold, mustSimulateItalic: italic),
        _ => null,
    };

    public byte[]? GetFont(string faceName)
    {
        if (!Files.TryGetValue(faceName, out var file))
        {
            return null;
        }
        using var stream = typeof(DocumentFonts).Assembly.GetManifestResourceStream($"Finsoft.Documents.Fonts.{file}")
            ?? throw new InvalidOperationException($"The font {file} is not embedded in the assembly.");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }
}
