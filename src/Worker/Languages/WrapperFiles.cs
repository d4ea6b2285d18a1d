using System.Text.Json;
using System.Text.Json.Nodes;
using Windmill.Jobs.Worker.Execution;

namespace Windmill.Jobs.Worker.Languages;

/// <summary>
/// How a job's wrapper reports back through its folder: <c>error.json</c> (<c>{message, name, stack}</c>)
/// when <c>main</c> threw, <c>result.json</c> with the return value otherwise.
/// </summary>
public static class WrapperFiles
{
    /// <summary>The job's result, or a <see cref="JobFailure"/> for an error, a non-zero exit or an unreadable result.</summary>
    public static async Task<JsonNode?> OutcomeAsync(JobRun run, int exitCode, string runtime, CancellationToken ct)
    {
        var errorFile = Path.Combine(run.Dir, "error.json");
        if (File.Exists(errorFile))
        {
            var error = JsonNode.Parse(await File.ReadAllTextAsync(errorFile, ct))!;
            throw new JobFailure(error["message"]?.GetValue<string>() ?? "error", error["name"]?.GetValue<string>() ?? "ExecutionErr",
                error["stack"]?.GetValue<string>());
        }
        if (exitCode != 0) throw new JobFailure($"{runtime} exited with code {exitCode}\n{run.Log.StderrTail()}".TrimEnd());
        return (await TryReadResultAsync(run.Dir, ct)).Result;
    }

    /// <summary><c>result.json</c> if the job wrote one (non-empty).</summary>
    public static async Task<(bool Found, JsonNode? Result)> TryReadResultAsync(string dir, CancellationToken ct)
    {
        var resultFile = Path.Combine(dir, "result.json");
        if (!File.Exists(resultFile) || new FileInfo(resultFile).Length == 0) return (false, null);
        try { return (true, JsonNode.Parse(await File.ReadAllTextAsync(resultFile, ct))); }
        catch (JsonException e) { throw new JobFailure($"result.json is not valid JSON: {e.Message}"); }
    }
}
