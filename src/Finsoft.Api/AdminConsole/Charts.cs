using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace Finsoft.Api.AdminConsole;

/// <summary>
/// Bar charts drawn on the server as SVG: no chart library, no script, nothing for the content policy to allow. Each chart
/// names itself for screen readers, and its figures are in a table beside it.
/// </summary>
public static class Charts
{
    private const int Width = 640;
    private const int Height = 220;
    private const int Axis = 28;

    public sealed record Bar(string Label, decimal Value, string Shown);

    public static IHtmlContent Bars(string id, string title, IReadOnlyList<Bar> bars)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-labelledby=\"{id}-title\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-title\">{WebUtility.HtmlEncode(title)}</title>");
        var top = bars.Count == 0 ? 0 : bars.Max(b => b.Value);
        var slot = bars.Count == 0 ? 0 : (Width - 8) / (double)bars.Count;
        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var height = top <= 0 ? 0 : (double)(bar.Value / top) * (Height - Axis - 8);
            var x = 4 + i * slot + slot * 0.15;
            var y = Height - Axis - height;
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect class=\"bar\" x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{slot * 0.7:0.#}\" height=\"{height:0.#}\"><title>{WebUtility.HtmlEncode($"{bar.Label}: {bar.Shown}")}</title></rect>");
            if (bars.Count <= 16)
            {
                svg.Append(CultureInfo.InvariantCulture,
                    $"<text class=\"label\" x=\"{x + slot * 0.35:0.#}\" y=\"{Height - 10}\" text-anchor=\"middle\">{WebUtility.HtmlEncode(Short(bar.Label))}</text>");
            }
        }
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"0\" y1=\"{Height - Axis}\" x2=\"{Width}\" y2=\"{Height - Axis}\"/></svg>");
        return new HtmlString(svg.ToString());
    }

    /// <summary>A day as "11-30", anything else as it is.</summary>
    private static string Short(string label) => label.Length == 10 && label[4] == '-' ? label[5..] : label;

    /// <summary>A formatted amount ("1,234.50" or "1234.50") as a number to draw.</summary>
    public static decimal Value(string amount) =>
        decimal.TryParse(amount.Replace(",", "", StringComparison.Ordinal), NumberStyles.Number, CultureInfo.InvariantCulture, out var value) ? value : 0;
}
