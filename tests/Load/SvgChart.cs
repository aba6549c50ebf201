using System.Globalization;
using System.Text;

namespace SseVirtualization.Load;

/// <summary>Plain SVG line and bar charts (no dependencies), for the plots in docs/benchmarks.md.</summary>
internal static class SvgChart
{
    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"];

    private const int Width = 720, Height = 400, Left = 70, Right = 20, Top = 40, Bottom = 50;

    public static async Task WriteAsync(string path, string title, string xLabel, string yLabel, IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> series)
    {
        var all = series.SelectMany(s => s.Points).ToList();
        var maxX = Math.Max(1, all.Count == 0 ? 1 : all.Max(p => p.X));
        var maxY = Math.Max(1, all.Count == 0 ? 1 : all.Max(p => p.Y)) * 1.05;
        string X(double x) => (Left + x / maxX * (Width - Left - Right)).ToString("0.#", CultureInfo.InvariantCulture);
        string Y(double y) => (Height - Bottom - y / maxY * (Height - Top - Bottom)).ToString("0.#", CultureInfo.InvariantCulture);
        var colours = Colours;

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

    /// <summary>A horizontal bar chart: one group per category, one bar per run in it (a run, and earlier ones to compare).</summary>
    public static async Task WriteBarsAsync(
        string path, string title, string valueLabel, IReadOnlyList<string> categories, IReadOnlyList<(string Run, Dictionary<string, double> ByCategory)> runs)
    {
        const int BarsWidth = 760, BarsLeft = 250, BarsRight = 60, BarsTop = 50, BarHeight = 12, Gap = 10;
        var height = BarsTop + categories.Count * (runs.Count * BarHeight + Gap) + 30;
        var max = Math.Max(1, runs.SelectMany(r => r.ByCategory.Values).DefaultIfEmpty(1).Max());
        var colours = Colours;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{BarsWidth}" height="{height}" font-family="sans-serif" font-size="12">""").AppendLine();
        svg.Append(CultureInfo.InvariantCulture, $"""<rect width="{BarsWidth}" height="{height}" fill="white"/><text x="{BarsWidth / 2}" y="22" text-anchor="middle" font-size="15">{Escape(title)}</text>""").AppendLine();
        for (var r = 0; r < runs.Count; r++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{BarsLeft + r * 200}" y="30" width="10" height="10" fill="{colours[r % colours.Length]}"/><text x="{BarsLeft + 14 + r * 200}" y="39">{Escape(runs[r].Run)}</text>""").AppendLine();
        }

        var y = BarsTop;
        foreach (var category in categories)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{BarsLeft - 8}" y="{y + runs.Count * BarHeight / 2.0 + 4}" text-anchor="end">{Escape(category)}</text>""").AppendLine();
            for (var r = 0; r < runs.Count; r++)
            {
                var value = runs[r].ByCategory.GetValueOrDefault(category);
                var width = value / max * (BarsWidth - BarsLeft - BarsRight);
                svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{BarsLeft}" y="{y}" width="{width:0.#}" height="{BarHeight - 2}" fill="{colours[r % colours.Length]}"/><text x="{BarsLeft + width + 4:0.#}" y="{y + BarHeight - 3}" font-size="10">{value:0}</text>""").AppendLine();
                y += BarHeight;
            }

            y += Gap;
        }

        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{BarsLeft}" y="{height - 10}">{Escape(valueLabel)}</text>""").AppendLine();
        svg.AppendLine("</svg>");
        await File.WriteAllTextAsync(path, svg.ToString());
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);
}
