using System.Diagnostics;
using System.Text.Json.Nodes;
using Windmill.Jobs.Worker.Execution;
using Windmill.Jobs.Worker.Extensions;

namespace Windmill.Jobs.Worker.Flows;

/// <summary>
/// Evaluates the JavaScript of flows (input transforms, <c>skip_if</c>, <c>stop_after_if</c>, branch
/// conditions, iterators) in one long-lived bun process (<c>flow_eval.js</c>), so expressions have the
/// whole language (arrow functions, template literals, optional chaining). Requests go one at a time;
/// a request that hangs (an endless loop) kills the process, which starts again on the next request.
/// </summary>
public sealed class JsEvaluator(WorkerSettings settings, ILogger<JsEvaluator> log) : IDisposable
{
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "Flows", "flow_eval.js");
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _one = new(1, 1);
    private Process? _process;

    /// <summary>Evaluates each expression against the context; a failed one throws a <see cref="JobFailure"/> naming it.</summary>
    public async Task<IReadOnlyList<JsonNode?>> EvaluateAsync(IReadOnlyList<(string Where, string Expr)> exprs, JsonObject context, CancellationToken ct)
    {
        if (exprs.Count == 0) return [];
        var request = new JsonObject { ["exprs"] = new JsonArray(exprs.Select(e => (JsonNode?)e.Expr).ToArray()), ["ctx"] = context };
        string? line;
        await _one.WaitAsync(ct);
        try
        {
            var p = Running();
            await p.StandardInput.WriteLineAsync(request.ToJsonString());
            await p.StandardInput.FlushAsync(ct);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(Limit);
            try { line = await p.StandardOutput.ReadLineAsync(limit.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Stop();
                throw new JobFailure($"flow expression took longer than {Limit.TotalSeconds:F0} s: {exprs[0].Where}");
            }
            if (line is null)
            {
                Stop();
                throw new JobFailure("the flow expression evaluator stopped");
            }
        }
        finally { _one.Release(); }

        var values = JsonNode.Parse(line)!["values"]!.AsArray();
        return exprs.Select((e, i) =>
        {
            var v = values[i]!;
            return v["ok"]!.GetValue<bool>()
                ? v["value"]?.DeepClone()
                : throw new JobFailure($"error in the expression of {e.Where} ({e.Expr}): {v["error"]}");
        }).ToList();
    }

    private Process Running()
    {
        if (_process is { HasExited: false }) return _process;
        var info = new ProcessStartInfo(settings.BunPath)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(Script);
        info.Environment.Clear(); // expressions see no secrets of the worker
        info.Environment["PATH"] = "/usr/bin:/bin";
        try { _process = Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new JobFailure($"flow expressions need bun (BUN_PATH={settings.BunPath}): {e.Message}");
        }
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.LogWarning("flow expression evaluator: {Line}", e.Data); };
        _process.BeginErrorReadLine();
        return _process;
    }

    private void Stop()
    {
        try { _process?.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process?.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Stop();
        _one.Dispose();
    }
}
