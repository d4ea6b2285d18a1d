using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Scripts;
using Windmill.Jobs.Worker.Execution;
using Windmill.Jobs.Worker.Extensions;

namespace Windmill.Jobs.Worker.Languages;

/// <summary>
/// TypeScript on Bun (Windmill's default TypeScript runtime): <c>main</c> (sync or async) is called with the
/// arguments in the order it declares them; its return value is the result. The job folder links a
/// node_modules holding the official <c>windmill-client</c>, so <c>import * as wmill from "windmill-client"</c>
/// works unchanged. Packages are never installed at run time.
/// </summary>
public sealed class BunExecutor(WorkerSettings settings) : IExecutor
{
    public string Language => ScriptLanguage.Bun;

    public async Task<JsonNode?> RunAsync(JobRun run, CancellationToken ct)
    {
        await File.WriteAllTextAsync(Path.Combine(run.Dir, "main.ts"), run.Code, ct);
        await File.WriteAllTextAsync(Path.Combine(run.Dir, "args.json"), run.Args.ToJsonString(), ct);
        await File.WriteAllTextAsync(Path.Combine(run.Dir, "wrapper.ts"), Wrapper(TypeScriptSignatureParser.Parse(run.Code)), ct);
        if (settings.BunNodeModules is { } modules)
            File.CreateSymbolicLink(Path.Combine(run.Dir, "node_modules"), modules);

        var (exit, _) = await JobProcess.RunAsync(settings.BunPath, ["--no-install", "wrapper.ts"], run.Dir, run.Env, run.Log, ct);
        return await WrapperFiles.OutcomeAsync(run, exit, "bun", ct);
    }

    private static string Wrapper(ScriptSignature signature)
    {
        var call = string.Join(", ", signature.Parameters.OrderBy(p => p.Position).Select(p => $"args[{JsonSerializer.Serialize(p.Name)}] ?? undefined"));
        var sb = new StringBuilder();
        sb.AppendLine("import { main } from \"./main.ts\";");
        sb.AppendLine("const args = JSON.parse(await Bun.file(\"args.json\").text());");
        sb.AppendLine("try {");
        sb.AppendLine($"  const result = await main({call});");
        sb.AppendLine("  await Bun.write(\"result.json\", JSON.stringify(result === undefined ? null : result));");
        sb.AppendLine("} catch (e: any) {");
        sb.AppendLine("  await Bun.write(\"error.json\", JSON.stringify({ message: String(e?.message ?? e), name: e?.name ?? \"Error\", stack: e?.stack }));");
        sb.AppendLine("  console.error(e);");
        sb.AppendLine("  process.exit(1);");
        sb.AppendLine("}");
        return sb.ToString();
    }
}
