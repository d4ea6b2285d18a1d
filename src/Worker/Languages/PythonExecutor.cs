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

        return await WrapperFiles.OutcomeAsync(run, exit, "python", ct);
    }
}
