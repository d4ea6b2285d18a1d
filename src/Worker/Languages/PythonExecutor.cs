using System.Text.Json;
using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Scripts;
using Windmill.Jobs.Worker.Execution;
using Windmill.Jobs.Worker.Extensions;

namespace Windmill.Jobs.Worker.Languages;

/// <summary>
/// Python 3: <c>main(**args)</c> through a small wrapper; the return value (JSON) is the result. Jobs
/// <c>import wmill</c> from the module shipped with the worker (<c>Languages/python/wmill</c>).
/// </summary>
public sealed class PythonExecutor(WorkerSettings settings) : IExecutor
{
    private static readonly string Assets = Path.Combine(AppContext.BaseDirectory, "Languages", "python");

    public string Language => ScriptLanguage.Python3;

    public async Task<JsonNode?> RunAsync(JobRun run, CancellationToken ct)
    {
        await File.WriteAllTextAsync(Path.Combine(run.Dir, "main.py"), run.Code, ct);
        await File.WriteAllTextAsync(Path.Combine(run.Dir, "args.json"), run.Args.ToJsonString(), ct);
        var env = new Dictionary<string, string>(run.Env) { ["PYTHONPATH"] = Assets, ["PYTHONUNBUFFERED"] = "1", ["PYTHONDONTWRITEBYTECODE"] = "1" };
        var (exit, _) = await JobProcess.RunAsync(settings.PythonPath, ["-u", Path.Combine(Assets, "wrapper.py")], run.Dir, env, run.Log, ct);

        var errorFile = Path.Combine(run.Dir, "error.json");
        if (File.Exists(errorFile))
        {
            var error = JsonNode.Parse(await File.ReadAllTextAsync(errorFile, ct))!;
            throw new JobFailure(error["message"]!.GetValue<string>(), error["name"]?.GetValue<string>() ?? "ExecutionErr", error["stack"]?.GetValue<string>());
        }
        if (exit != 0) throw new JobFailure($"python exited with code {exit}\n{run.Log.StderrTail()}".TrimEnd());
        var resultFile = Path.Combine(run.Dir, "result.json");
        if (!File.Exists(resultFile)) return null;
        try { return JsonNode.Parse(await File.ReadAllTextAsync(resultFile, ct)); }
        catch (JsonException e) { throw new JobFailure($"the result is not valid JSON: {e.Message}"); }
    }
}
