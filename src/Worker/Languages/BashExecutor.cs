using System.Text.Json;
using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Scripts;
using Windmill.Jobs.Worker.Execution;

namespace Windmill.Jobs.Worker.Languages;

/// <summary>
/// Bash: arguments are positional (<c>$1</c>, ... in the order the code names them); the result is
/// <c>./result.json</c> when the script writes it, else the last line of output.
/// </summary>
public sealed class BashExecutor : IExecutor
{
    public string Language => ScriptLanguage.Bash;

    public async Task<JsonNode?> RunAsync(JobRun run, CancellationToken ct)
    {
        await File.WriteAllTextAsync(Path.Combine(run.Dir, "main.sh"), run.Code, ct);
        var signature = BashSignatureParser.Parse(run.Code);
        var positional = new List<string>();
        foreach (var p in signature.Parameters.OrderBy(p => p.Position))
        {
            while (positional.Count < p.Position) positional.Add("");
            var value = run.Args[p.Name] ?? (p.HasDefault ? p.Default : null);
            positional.Add(value switch
            {
                null => "",
                JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                _ => value.ToJsonString(),
            });
        }
        var (exit, lastLine) = await JobProcess.RunAsync("bash", ["main.sh", .. positional], run.Dir, run.Env, run.Log, ct);
        if (exit != 0)
            throw new JobFailure($"bash exited with code {exit}\n{run.Log.StderrTail()}".TrimEnd());
        var (found, result) = await WrapperFiles.TryReadResultAsync(run.Dir, ct);
        return found ? result : JsonValue.Create(lastLine);
    }
}
