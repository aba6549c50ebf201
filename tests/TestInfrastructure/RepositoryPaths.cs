using System.Reflection;

namespace SseVirtualization.TestInfrastructure;

/// <summary>Finds the repository and the built silo, so tests run the same binary a user would.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration this test assembly was built in (Debug or Release).</summary>
    public static string Configuration { get; } =
        typeof(RepositoryPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>
    /// This checkout's silo build; <c>SSE_SILO_ASSEMBLY</c> names another one, so the load tool can drive two builds
    /// side by side with the same scenario code (docs/benchmarks.md).
    /// </summary>
    public static string SiloAssembly { get; } =
        Environment.GetEnvironmentVariable("SSE_SILO_ASSEMBLY") is { Length: > 0 } other
            ? Path.GetFullPath(other)
            : Path.Combine(Root, "Silo", "bin", Configuration, "net10.0", "SseVirtualization.Silo.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Orleans.sln not found above " + AppContext.BaseDirectory);
    }
}
