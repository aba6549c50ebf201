using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Observability;

/// <summary>
/// The log events an operator alerts on: every <see cref="LoggerMessageAttribute"/> of the product has an event id,
/// unique, inside its area's range, and listed with its level in docs/operations.md ("Log events"), whose tables are
/// the ranges this test holds the code to; and the methods live in a <c>&lt;Type&gt;.Log.cs</c> partial.
/// </summary>
public sealed partial class LogEventTests
{
    /// <summary>
    /// Not yet split: files whose log methods still sit inside the class, in areas other work was changing when the rest
    /// moved. Both tests skip them. Once a file's methods are in its <c>.Log.cs</c> (with the ids docs/operations.md
    /// gives them), remove it here; this list should shrink to empty.
    /// </summary>
    private static readonly string[] NotYetSplit = [];

    private static readonly string[] ProductProjects = ["Gateway", "Grains", "Silo"];

    [Fact]
    public void Every_log_event_has_an_id_of_its_own_inside_its_areas_range_and_is_documented_with_its_level()
    {
        var (ranges, documented) = ReadLogEventsSection();
        var problems = new List<string>();

        foreach (var (a, b) in ranges.SelectMany(a => ranges.Where(b => a != b && a.Low <= b.Low && b.Low <= a.High).Select(b => (a, b))))
        {
            problems.Add($"docs/operations.md: the range of {a.Area} ({a.Low}-{a.High}) overlaps that of {b.Area} ({b.Low}-{b.High})");
        }

        var skipped = NotYetSplit.Select(file => "SseVirtualization." + file[..^".cs".Length].Replace('/', '.')).ToHashSet();
        var types = ProductProjects.SelectMany(project => Assembly.Load("SseVirtualization." + project).GetTypes()).ToList();
        problems.AddRange(skipped.Where(name => !types.Any(t => t.FullName == name)).Select(name => $"{name} (NotYetSplit) is no type of the product"));

        var seen = new Dictionary<int, string>();
        foreach (var (method, log) in LogMethods(types).Where(m => !skipped.Contains(Outermost(m.Method.DeclaringType!).FullName!)))
        {
            var name = $"{method.DeclaringType!.FullName}.{method.Name}";
            var area = method.DeclaringType.Namespace!;
            if (log.EventId < 0)
            {
                problems.Add($"{name} has no EventId");
                continue;
            }

            if (!seen.TryAdd(log.EventId, name))
            {
                problems.Add($"{name} repeats event id {log.EventId} of {seen[log.EventId]}");
            }

            var range = ranges.Where(r => r.Area == area).ToList();
            if (range.Count != 1)
            {
                problems.Add($"{name}: docs/operations.md gives {range.Count} ranges for the area {area}, not one");
            }
            else if (log.EventId < range[0].Low || log.EventId > range[0].High)
            {
                problems.Add($"{name}: event id {log.EventId} is outside {area}'s range {range[0].Low}-{range[0].High}");
            }

            if (!documented.TryGetValue(log.EventId, out var level))
            {
                problems.Add($"{name}: event id {log.EventId} is not in docs/operations.md's table");
            }
            else if (level != log.Level.ToString())
            {
                problems.Add($"{name}: event id {log.EventId} is {log.Level}, docs/operations.md says {level}");
            }
        }

        // The other way round: a documented id no code writes is an event that went away. An area with files not yet
        // split may document the ids they are to get.
        var unsplitAreas = skipped.Select(name => name[..name.LastIndexOf('.')]).ToHashSet();
        foreach (var id in documented.Keys.Where(id => !seen.ContainsKey(id)))
        {
            var area = ranges.Where(r => r.Low <= id && id <= r.High).Select(r => r.Area).FirstOrDefault();
            if (area is null || !unsplitAreas.Contains(area))
            {
                problems.Add($"docs/operations.md lists event id {id}, which no LoggerMessage of {area ?? "any area"} has");
            }
        }

        Assert.True(seen.Count > 0, "no LoggerMessage found in the product");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Log_methods_live_in_a_Log_cs_partial_named_for_their_class()
    {
        var problems = new List<string>();
        foreach (var project in ProductProjects)
        {
            var folder = Path.Combine(RepositoryPaths.Root, project);
            var sources = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
                .Select(path => Path.GetRelativePath(RepositoryPaths.Root, path).Replace('\\', '/'))
                .Where(path => !path.Contains("/bin/", StringComparison.Ordinal) && !path.Contains("/obj/", StringComparison.Ordinal));
            foreach (var path in sources)
            {
                var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, path));
                if (!text.Contains("[LoggerMessage", StringComparison.Ordinal) || NotYetSplit.Contains(path))
                {
                    continue;
                }

                var fileName = Path.GetFileName(path);
                if (!fileName.EndsWith(".Log.cs", StringComparison.Ordinal))
                {
                    problems.Add($"{path} declares LoggerMessage methods; move them to <Type>.Log.cs");
                }
                else if (!Regex.IsMatch(text, $@"\bpartial class {Regex.Escape(fileName[..^".Log.cs".Length])}\b"))
                {
                    problems.Add($"{path} is not a partial of the class it is named for");
                }
            }
        }

        foreach (var path in NotYetSplit)
        {
            var full = Path.Combine(RepositoryPaths.Root, path);
            if (!File.Exists(full) || !File.ReadAllText(full).Contains("[LoggerMessage", StringComparison.Ordinal))
            {
                problems.Add($"{path} has no LoggerMessage left: remove it from NotYetSplit");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private static IEnumerable<(MethodInfo Method, LoggerMessageAttribute Log)> LogMethods(IEnumerable<Type> types) =>
        from type in types
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        let log = method.GetCustomAttribute<LoggerMessageAttribute>()
        where log is not null
        select (method, log);

    private static Type Outermost(Type type) => type.DeclaringType is { } outer ? Outermost(outer) : type;

    /// <summary>The range table (area → ids) and the event table (id → level) of docs/operations.md's "Log events".</summary>
    private static (List<(string Area, int Low, int High)> Ranges, Dictionary<int, string> Levels) ReadLogEventsSection()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "docs", "operations.md"));
        var section = lines.SkipWhile(l => l != "### Log events").Skip(1).TakeWhile(l => !l.StartsWith('#')).ToList();
        Assert.NotEmpty(section);

        var ranges = new List<(string, int, int)>();
        var levels = new Dictionary<int, string>();
        foreach (var line in section)
        {
            if (RangeRow().Match(line) is { Success: true } range)
            {
                ranges.Add((range.Groups[3].Value, int.Parse(range.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(range.Groups[2].Value, CultureInfo.InvariantCulture)));
            }
            else if (EventRow().Match(line) is { Success: true } row)
            {
                Assert.True(levels.TryAdd(int.Parse(row.Groups[1].Value, CultureInfo.InvariantCulture), row.Groups[2].Value), $"docs/operations.md lists {row.Groups[1].Value} twice");
            }
        }

        return (ranges, levels);
    }

    [GeneratedRegex(@"^\| (\d+)-(\d+) \| `([\w.]+)`")]
    private static partial Regex RangeRow();

    [GeneratedRegex(@"^\| (\d+) \| (\w+) \|")]
    private static partial Regex EventRow();
}
