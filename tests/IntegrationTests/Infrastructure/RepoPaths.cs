namespace Windmill.Jobs.IntegrationTests.Infrastructure;

/// <summary>Where the repository and the built API and worker are, seen from the test assembly.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: whatever the tests themselves were built as.</summary>
    private static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    public static string ApiDll => Built("Api", "Windmill.Jobs.Api.dll");
    public static string WorkerDll => Built("Worker", "Windmill.Jobs.Worker.dll");

    private static string Built(string project, string dll)
    {
        var path = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{dll} is not built; run dotnet build first", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Windmill.Jobs.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find Windmill.Jobs.sln above " + AppContext.BaseDirectory);
    }
}
