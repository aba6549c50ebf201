using System.Globalization;
using System.Text;

namespace SseVirtualization.Load;

/// <summary>A plain SVG line chart (no dependencies), for the plots in docs/benchmarks.md.</summary>
internal static class SvgChart
{
    private const int Width = 720, Height = 400, Left = 70, Right = 20, Top = 40, Bottom = 50;

    public static async Task WriteAsync(string path, string title, string xLabel, string yLabel, IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> series)
    {
        var all = series.SelectMany(s => s.Points).ToList();
        var maxX = Math.Max(1, all.Count == 0 ? 1 : all.Max(p => p.X));
        var maxY = Math.Max(1, all.Count == 0 ? 1 : all.Max(p => p.Y)) * 1.05;
        string X(double x) => (Left + x / maxX * (Width - Left - Right)).ToString("0.#", CultureInfo.InvariantCulture);
        string Y(double y) => (Height - Bottom - y / maxY * (Height - Top - Bottom)).ToString("0.#", CultureInfo.InvariantCulture);
        string[] colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"];

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" font-family="sans-serif" font-size="12">""").AppendLine();
        svg.Append(CultureInfo.InvariantCulture, $"""<rect width="{Width}" height="{Height}" fill="white"/><text x="{Width / 2}" y="22" text-anchor="middle" font-size="15">{Escape(title)}</text>""").AppendLine();
        for (var i = 0; i <= 4; i++)
        {
            var y = maxY * i / 4;
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" x2="{Width - Right}" y1="{Y(y)}" y2="{Y(y)}" stroke="#ddd"/><text x="{Left - 6}" y="{Y(y)}" text-anchor="end" dominant-baseline="middle">{y:0.#}</text>""").AppendLine();
            var x = maxX * i / 4;
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{X(x)}" y="{Height - Bottom + 16}" text-anchor="middle">{x:0.#}</text>""").AppendLine();
        }

        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{(Left + Width - Right) / 2}" y="{Height - 12}" text-anchor="middle">{Escape(xLabel)}</text>""").AppendLine();
        svg.Append(CultureInfo.InvariantCulture, $"""<text transform="translate(16,{(Top + Height - Bottom) / 2}) rotate(-90)" text-anchor="middle">{Escape(yLabel)}</text>""").AppendLine();
        for (var s = 0; s < series.Count; s++)
        {
            var colour = colours[s % colours.Length];
            var points = string.Join(' ', series[s].Points.Select(p => $"{X(p.X)},{Y(p.Y)}"));
            svg.Append(CultureInfo.InvariantCulture, $"""<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>""").AppendLine();
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Left + 10}" y="{Top + 14 + s * 16}" fill="{colour}">{Escape(series[s].Name)}</text>""").AppendLine();
        }

        svg.AppendLine("</svg>");
        await File.WriteAllTextAsync(path, svg.ToString());
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);
}
