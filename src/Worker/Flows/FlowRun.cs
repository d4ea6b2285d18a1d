using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Flows;
using Windmill.Jobs.Core.Jobs;
using Windmill.Jobs.Core.Scripts;
using Windmill.Jobs.Core.Security;
using Windmill.Jobs.Runtime;
using Windmill.Jobs.Store.Flows;
using Windmill.Jobs.Store.Jobs;
using Windmill.Jobs.Worker.Execution;

namespace Windmill.Jobs.Worker.Flows;

/// <summary>
/// One advance of a flow job (spec 7.4): walks its modules from the current step, starting each one (a
/// step job, a loop's iterations or a branch as child flow jobs, or a result computed in place), and
/// reading the outcome of the ones that were running, until a step is still running (the flow parks) or
/// the flow is over (it completes). The status JSON follows spec 7.3: <c>step</c>, one entry per module
/// (<c>WaitingForPriorSteps</c>, <c>InProgress</c>, <c>Success</c>, <c>Failure</c>), <c>failure_module</c>.
/// </summary>
/// <param name="resolve">Resolves <c>$var:</c>/<c>$res:</c> strings with the flow's identity (for <c>variable()</c> and <c>resource()</c>).</param>
internal sealed class FlowRun(ClaimedJob flow, FlowTransaction tx, JsEvaluator js, FlowUserStates userStates, string workerName,
    Func<JsonObject, CancellationToken, Task<JsonObject>> resolve)
{
    private const int MaxWhileIterations = 10_000;

    private readonly FlowValue _value = OpenFlowParser.ParseStored(JsonNode.Parse(flow.RawFlow ?? "{}"));
    private readonly JsonObject _flowInput = JsonNode.Parse(flow.ArgsJson) as JsonObject ?? [];
    private readonly List<NewJob> _push = [];
    private readonly Dictionary<Guid, JsonObject> _childStatuses = [];
    private readonly WorkspaceIdentity _identity = flow.Identity.ToIdentity();
    private readonly Dictionary<Guid, StepOutcome> _outcomes = [];
    private JsonObject _status = null!;
    private JsonNode? _error; // the failed step's error, seen by the failure module's expressions as `error`

    /// <summary>Runs the advance inside the transaction; returns the jobs to dispatch once it commits.</summary>
    public async Task<IReadOnlyList<DispatchItem>> AdvanceAsync(CancellationToken ct)
    {
        if (tx.CanceledBy is { } by)
            return await FinishAsync(new JobOutcome(JobStatus.Canceled, JobErrors.Canceled(tx.CanceledReason ?? "canceled", by), by,
                tx.CanceledReason), ct);
        if (tx.Status is null && IsRoot && flow.SchedulePath is { } schedule && await tx.OverlapsAsync(flow.WorkspaceId, schedule, ct))
        {
            _status = Initial(_value.Modules.Select(m => m.Id), previousResult: _flowInput);
            var note = new JsonObject { ["skipped"] = $"the previous run of schedule {schedule} is still running (no_flow_overlap)" };
            return await FinishAsync(new JobOutcome(JobStatus.Skipped, note.ToJsonString()), ct);
        }
        _status = tx.Status ?? Initial(_value.Modules.Select(m => m.Id), previousResult: _flowInput);
        if (_status["failure_module"] is JsonObject { } fm && (string?)fm["type"] == "InProgress")
            return await PollFailureModuleAsync(fm, ct);

        while (true)
        {
            var step = (int)_status["step"]!;
            if (step >= _value.Modules.Count)
                return await FinishAsync(new JobOutcome(JobStatus.Success, Json(await PreviousResultAsync(step, ct))), ct);
            var module = _value.Modules[step];
            var ms = Modules[step]!.AsObject();
            if ((string?)ms["type"] == "WaitingForPriorSteps")
                await StartAsync(module, ms, await PreviousResultAsync(step, ct), ct);
            if ((string?)ms["type"] == "InProgress")
            {
                var outcome = await PollAsync(module, ms, ct);
                if (outcome is null) return await ParkAsync(ct);
                if (!outcome.Succeeded)
                {
                    if (await RetryAsync(module, ms, ct)) return await ParkAsync(ct);
                    var error = WithStepId(outcome.Result, module.Id);
                    if (!module.ContinueOnError)
                    {
                        ms["type"] = "Failure";
                        return await FailAsync(error, ct);
                    }
                    // The error object becomes the step's result and the flow goes on.
                    ms["result"] = error;
                }
                else if (ms["result"] is null && ms["job"] is null) ms["result"] = outcome.Result?.DeepClone();
                ms["type"] = "Success";
            }
            if (module.StopAfterIf is { } stop && await StopsAsync(stop, module, ms, ct) is { } ended) return ended;
            _status["step"] = step + 1;
        }
    }

    // ---- starting a module

    /// <param name="extraDelay">Added to the step's own <c>sleep</c> (a retry's wait).</param>
    private async Task StartAsync(FlowModule module, JsonObject ms, JsonNode? previous, CancellationToken ct, TimeSpan extraDelay = default)
    {
        if (module.SkipIf is { } skip && Truthy(await EvalAsync([($"{module.Id}.skip_if", skip)], previous, null, ct)))
        {
            Succeed(ms, previous, skipped: true);
            return;
        }
        if (module.Mocked)
        {
            Succeed(ms, module.MockResult);
            return;
        }
        switch (module.Value)
        {
            case IdentityModule:
                Succeed(ms, previous);
                break;
            case RawScriptModule r:
                Await(ms, PushJob(module, JobKind.Preview, r.Path ?? $"{FlowPath}/{module.Id}", r.Language, r.Content, null,
                    r.Tag ?? ScriptLanguage.DefaultTag(r.Language), await InputsAsync(module, r.Inputs, previous, ct), null,
                    await DelayAsync(module, previous, extraDelay, ct)));
                break;
            case ScriptModule s:
            {
                long? hash = s.Hash is null ? null : ScriptHash.TryParse(s.Hash, out var h) ? h : throw new JobFailure($"step {module.Id}: invalid hash {s.Hash}");
                var script = await tx.ScriptAsync(flow.WorkspaceId, s.Path, hash, ct) ?? throw new JobFailure($"step {module.Id}: script {s.Path} not found");
                if (!PathPermissions.CanRead(_identity, script.Path, ExtraPerms.FromJson(script.ExtraPerms)))
                    throw new JobFailure($"step {module.Id}: {flow.PermissionedAs} may not run script {script.Path}");
                Await(ms, PushJob(module, JobKind.Script, script.Path, script.Language, null, script.Hash,
                    s.TagOverride ?? script.Tag ?? ScriptLanguage.DefaultTag(script.Language), await InputsAsync(module, s.Inputs, previous, ct),
                    null, await DelayAsync(module, previous, extraDelay, ct), script.Timeout));
                break;
            }
            case SubFlowModule f:
            {
                var sub = await tx.SubFlowAsync(flow.WorkspaceId, f.Path, ct) ?? throw new JobFailure($"step {module.Id}: flow {f.Path} not found");
                if (!PathPermissions.CanRead(_identity, f.Path, ExtraPerms.FromJson(sub.ExtraPerms)))
                    throw new JobFailure($"step {module.Id}: {flow.PermissionedAs} may not run flow {f.Path}");
                var args = await InputsAsync(module, f.Inputs, previous, ct);
                var id = PushJob(module, JobKind.Flow, f.Path, null, null, null, "flow", args, sub.Value, await DelayAsync(module, previous, extraDelay, ct));
                _childStatuses[id] = Initial(ModuleIds(JsonNode.Parse(sub.Value)?["modules"]), previousResult: args);
                Await(ms, id);
                break;
            }
            case ForLoopModule loop:
            {
                var items = loop.Iterator is StaticInput st
                    ? st.Value?.DeepClone()
                    : (await EvalAsync([($"{module.Id}.iterator", Expr(loop.Iterator))], previous, null, ct))[0];
                if (items is not JsonArray array)
                    throw new JobFailure($"step {module.Id}: the iterator must evaluate to an array, not {Describe(items)}");
                ms["iterator"] = new JsonObject { ["index"] = 0, ["itered"] = array.DeepClone() };
                ms["flow_jobs"] = new JsonArray();
                if (array.Count == 0 || loop.Modules.Count == 0)
                {
                    Succeed(ms, new JsonArray(array.Select(_ => (JsonNode?)null).ToArray()));
                    break;
                }
                ms["type"] = "InProgress";
                ms["parallel"] = loop.Parallel;
                ms["parallelism"] = loop.Parallel ? await ParallelismAsync(module.Id, loop.Parallelism, previous, array.Count, ct) : 1;
                PushIterations(module, ms, Raw(module)["value"]!["modules"]!);
                break;
            }
            case WhileLoopModule:
                ms["flow_jobs"] = new JsonArray();
                ms["type"] = "InProgress";
                ms["iterator"] = new JsonObject { ["index"] = 0 };
                ms["flow_jobs"]!.AsArray().Add(
                    PushNode(module, Raw(module)["value"]!["modules"]!, $"{FlowPath}/loop-0", IterationInput(0, null), previous).ToString());
                break;
            case BranchOneModule b:
            {
                var chosen = -1;
                if (b.Branches.Count > 0)
                {
                    var answers = await EvalAsync(b.Branches.Select((br, k) => ($"{module.Id}.branches[{k}].expr", br.Expr)).ToList(), previous, null, ct);
                    chosen = answers.FindIndex(Truthy);
                }
                ms["branch_chosen"] = chosen < 0 ? new JsonObject { ["type"] = "default" } : new JsonObject { ["type"] = "branch", ["branch"] = chosen };
                var modules = chosen < 0 ? Raw(module)["value"]!["default"] : Raw(module)["value"]!["branches"]![chosen]!["modules"];
                if (modules is not JsonArray { Count: > 0 }) { Succeed(ms, previous); break; }
                ms["type"] = "InProgress";
                ms["job"] = PushNode(module, modules, $"{FlowPath}/branchone-{(chosen < 0 ? "default" : chosen)}", _flowInput, previous).ToString();
                break;
            }
            case BranchAllModule b:
                if (b.Branches.Count == 0) { Succeed(ms, new JsonArray()); break; }
                ms["type"] = "InProgress";
                ms["flow_jobs"] = new JsonArray();
                ms["branchall"] = new JsonObject { ["branch"] = 0, ["len"] = b.Branches.Count };
                ms["previous_result"] = previous?.DeepClone();
                PushNextBranches(module, ms, b, previous);
                break;
        }
    }

    private void PushIterations(FlowModule module, JsonObject ms, JsonNode body)
    {
        var items = ms["iterator"]!["itered"]!.AsArray();
        var jobs = ms["flow_jobs"]!.AsArray();
        var outcomesPending = jobs.Count - (int)(ms["done"] ?? 0);
        var parallelism = (int)ms["parallelism"]!;
        while (jobs.Count < items.Count && outcomesPending < parallelism)
        {
            var i = jobs.Count;
            var value = items[i];
            var id = PushNode(module, body, $"{FlowPath}/loop-{i}", IterationInput(i, value), value);
            jobs.Add(id.ToString());
            outcomesPending++;
            ms["iterator"]!["index"] = i;
        }
    }

    /// <summary>Pushes the next branches: all of them when parallel, else the next non-empty one. Returns whether a job was pushed.</summary>
    private bool PushNextBranches(FlowModule module, JsonObject ms, BranchAllModule b, JsonNode? previous)
    {
        var jobs = ms["flow_jobs"]!.AsArray();
        var pushed = false;
        while (jobs.Count < b.Branches.Count && (b.Parallel || !pushed))
        {
            var k = jobs.Count;
            var modules = Raw(module)["value"]!["branches"]![k]!["modules"]!;
            var id = Guid.Empty; // an empty branch: its result is null, nothing runs
            if (modules is JsonArray { Count: > 0 })
            {
                id = PushNode(module, modules, $"{FlowPath}/branchall-{k}", _flowInput, previous);
                pushed = true;
            }
            jobs.Add(id.ToString());
            ms["branchall"]!["branch"] = k;
        }
        return pushed;
    }

    private JsonObject IterationInput(int index, JsonNode? value)
    {
        var input = _flowInput.DeepClone().AsObject();
        input["iter"] = new JsonObject { ["index"] = index, ["value"] = value?.DeepClone() };
        return input;
    }

    /// <summary>A loop iteration or a branch: a child flow job over some modules, starting from <paramref name="previous"/>.</summary>
    private Guid PushNode(FlowModule module, JsonNode modules, string path, JsonObject input, JsonNode? previous)
    {
        var raw = new JsonObject { ["modules"] = modules.DeepClone() }.ToJsonString();
        var id = PushJob(module, JobKind.FlowNode, path, null, null, null, "flow", input, raw, DateTime.UtcNow);
        _childStatuses[id] = Initial(ModuleIds(modules), previous);
        return id;
    }

    /// <summary>A child job of this flow for <paramref name="module"/>, written when the advance commits.</summary>
    private Guid PushJob(FlowModule module, string kind, string path, string? language, string? code, long? hash, string tag,
        JsonObject args, string? rawFlow, DateTime scheduledFor, int? defaultTimeout = null)
    {
        var id = Guid.CreateVersion7();
        _push.Add(new NewJob(id, flow.WorkspaceId, kind, flow.CreatedBy, flow.PermissionedAs, flow.Email, hash, path, language, code,
            args.ToJsonString(), tag, null, module.Timeout ?? defaultTimeout, scheduledFor, _identity, ParentJob: flow.Id,
            RootJob: flow.RootJob ?? flow.Id, Trigger: flow.SchedulePath, TriggerKind: flow.SchedulePath is null ? null : "schedule",
            FlowStepId: module.Id, RawFlow: rawFlow));
        return id;
    }

    /// <summary>The module now waits on one job.</summary>
    private static void Await(JsonObject ms, Guid job)
    {
        ms["type"] = "InProgress";
        ms["job"] = job.ToString();
    }

    // ---- reading a running module

    /// <summary>The module's outcome once all it waits for completed; null while something still runs.</summary>
    private async Task<StepOutcome?> PollAsync(FlowModule module, JsonObject ms, CancellationToken ct)
    {
        if (ms["flow_jobs"] is not JsonArray jobs)
        {
            var id = Guid.Parse((string)ms["job"]!);
            return (await OutcomesAsync([id], ct)).GetValueOrDefault(id);
        }
        var ids = jobs.Select(j => Guid.Parse((string)j!)).ToList();
        var outcomes = await OutcomesAsync(ids.Where(i => i != Guid.Empty).ToList(), ct);
        var results = new JsonArray();
        for (var i = 0; i < ids.Count; i++)
        {
            if (ids[i] == Guid.Empty) { results.Add(null); continue; } // an empty body or branch
            if (!outcomes.TryGetValue(ids[i], out var o)) break;
            if (!o.Succeeded && !SkipsFailures(module, i)) return o;
            results.Add(o.Succeeded ? o.Result?.DeepClone() : WithStepId(o.Result, module.Id));
        }
        ms["done"] = results.Count;
        switch (module.Value)
        {
            case ForLoopModule:
                if (results.Count == ms["iterator"]!["itered"]!.AsArray().Count) return Done(ms, results);
                PushIterations(module, ms, Raw(module)["value"]!["modules"]!);
                return null;
            case WhileLoopModule:
                if (results.Count < ids.Count) return null;
                var last = results[^1];
                var stop = module.StopAfterIf is { } s && Truthy(await EvalAsync([($"{module.Id}.stop_after_if", s.Expr)], last, null, ct));
                if (stop || ids.Count >= MaxWhileIterations) return Done(ms, results);
                ms["iterator"]!["index"] = ids.Count;
                ms["flow_jobs"]!.AsArray().Add(
                    PushNode(module, Raw(module)["value"]!["modules"]!, $"{FlowPath}/loop-{ids.Count}", IterationInput(ids.Count, null), last)
                        .ToString());
                return null;
            case BranchAllModule b:
                if (results.Count == b.Branches.Count) return Done(ms, results);
                // Sequential: the previous branch is done; if only empty branches were left, read again.
                if (!b.Parallel && results.Count == ids.Count && !PushNextBranches(module, ms, b, ms["previous_result"]))
                    return await PollAsync(module, ms, ct);
                return null;
            default:
                return null;
        }
    }

    private static StepOutcome Done(JsonObject ms, JsonArray results)
    {
        ms["result"] = results;
        return new StepOutcome(JobStatus.Success, results);
    }

    private static bool SkipsFailures(FlowModule module, int index) => module.Value switch
    {
        ForLoopModule f => f.SkipFailures,
        WhileLoopModule w => w.SkipFailures,
        BranchAllModule b => b.Branches[index].SkipFailure,
        _ => false,
    };

    // ---- after a module

    private async Task<bool> RetryAsync(FlowModule module, JsonObject ms, CancellationToken ct)
    {
        if (module.Retry is not { } retry || ms["job"] is null || ms["flow_jobs"] is not null) return false;
        if (ms["failed_jobs"] is not JsonArray failed) ms["failed_jobs"] = failed = [];
        if (retry.DelayAfter(failed.Count) is not { } delay) return false;
        failed.Add((string)ms["job"]!);
        var retryStatus = _status["retry"]!.AsObject();
        retryStatus["fail_count"] = (int)retryStatus["fail_count"]! + 1;
        retryStatus["failed_jobs"]!.AsArray().Add((string)ms["job"]!);
        ms["type"] = "WaitingForPriorSteps";
        var step = (int)_status["step"]!;
        var previous = await PreviousResultAsync(step, ct);
        await StartAsync(module, ms, previous, ct, extraDelay: delay);
        return (string?)ms["type"] == "InProgress";
    }

    private async Task<IReadOnlyList<DispatchItem>?> StopsAsync(StopAfterIf stop, FlowModule module, JsonObject ms, CancellationToken ct)
    {
        if (module.Value is WhileLoopModule) return null; // a while loop's condition ends the loop, not the flow
        var result = await ResultOfAsync(ms, ct);
        if (!Truthy(await EvalAsync([($"{module.Id}.stop_after_if", stop.Expr)], result, null, ct))) return null;
        _status["step"] = (int)_status["step"]! + 1;
        _status["stopped_early"] = true;
        if (stop.ErrorMessage is { } message)
            return await FinishAsync(new JobOutcome(JobStatus.Failure, JobErrors.Json(message, "StopAfterIf")), ct);
        return await FinishAsync(new JobOutcome(stop.SkipIfStopped ? JobStatus.Skipped : JobStatus.Success, Json(result)), ct);
    }

    /// <summary>A step failed for good: run the failure module if there is one, else fail the flow with the step's error.</summary>
    private async Task<IReadOnlyList<DispatchItem>> FailAsync(JsonNode? error, CancellationToken ct)
    {
        if (_value.FailureModule is not { } failure)
            return await FinishAsync(new JobOutcome(JobStatus.Failure, new JsonObject { ["error"] = error?.DeepClone() }.ToJsonString()), ct);
        var fm = new JsonObject { ["type"] = "WaitingForPriorSteps", ["id"] = failure.Id, ["error"] = error?.DeepClone() };
        _status["failure_module"] = fm;
        _error = error;
        await StartAsync(failure, fm, error, ct);
        if ((string?)fm["type"] != "InProgress")
            return await FinishAsync(new JobOutcome(JobStatus.Failure, Json(await ResultOfAsync(fm, ct))), ct);
        return await ParkAsync(ct);
    }


    private async Task<IReadOnlyList<DispatchItem>> PollFailureModuleAsync(JsonObject fm, CancellationToken ct)
    {
        var id = Guid.Parse((string)fm["job"]!);
        if ((await OutcomesAsync([id], ct)).GetValueOrDefault(id) is not { } outcome) return await ParkAsync(ct);
        fm["type"] = outcome.Succeeded ? "Success" : "Failure";
        return await FinishAsync(new JobOutcome(JobStatus.Failure, Json(outcome.Result)), ct);
    }

    // ---- ending the advance

    private async Task<IReadOnlyList<DispatchItem>> ParkAsync(CancellationToken ct)
    {
        await tx.PushAsync(_push, _childStatuses, ct);
        await tx.SaveStatusAsync(_status, ct);
        await tx.ParkAsync(ct);
        var now = DateTime.UtcNow;
        return _push.Where(j => j.ScheduledFor <= now).Select(j => new DispatchItem(j.Id, j.Tag, j.Priority)).ToList();
    }

    /// <summary>True once this advance completed the flow (committed with the transaction).</summary>
    public bool Completed { get; private set; }

    /// <summary>How the flow ended, when this advance completed it.</summary>
    public JobOutcome? Outcome { get; private set; }

    /// <summary>A root flow: the one its steps' custom flow state (spec 5) is keyed by.</summary>
    public bool IsRoot => flow.RootJob is null && flow.Kind != JobKind.FlowNode;

    /// <summary>Completes the flow as it stands (a failure found outside the walk of <see cref="AdvanceAsync"/>).</summary>
    public Task<IReadOnlyList<DispatchItem>> CompleteAsync(JobOutcome outcome, CancellationToken ct) => FinishAsync(outcome, ct);

    private async Task<IReadOnlyList<DispatchItem>> FinishAsync(JobOutcome outcome, CancellationToken ct)
    {
        var status = _status ?? tx.Status ?? [];
        // Read before the commit: if Redis cannot be reached the advance fails and is retried, rather than
        // the flow completing without its state.
        if (IsRoot) status["user_states"] = await userStates.ReadAllAsync(flow.Id);
        var completed = await tx.CompleteAsync(outcome, status, workerName, ct);
        Completed = completed.Done;
        Outcome = outcome;
        return completed.WokenParents;
    }

    // ---- results and expressions

    /// <summary>Step outcomes, each read from the store once per advance (a result is needed to poll, stop, and start the next step).</summary>
    private async Task<Dictionary<Guid, StepOutcome>> OutcomesAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var missing = ids.Where(id => !_outcomes.ContainsKey(id)).ToList();
        if (missing.Count > 0)
            foreach (var (id, outcome) in await tx.OutcomesAsync(missing, ct)) _outcomes[id] = outcome;
        return ids.Where(_outcomes.ContainsKey).ToDictionary(id => id, id => _outcomes[id]);
    }

    private JsonArray Modules => _status["modules"]!.AsArray();

    private async Task<JsonNode?> PreviousResultAsync(int step, CancellationToken ct) =>
        step == 0 ? _status["previous_result"]?.DeepClone() : await ResultOfAsync(Modules[step - 1]!.AsObject(), ct);

    private async Task<JsonNode?> ResultOfAsync(JsonObject ms, CancellationToken ct)
    {
        if (ms.ContainsKey("result")) return ms["result"]?.DeepClone();
        if (ms["job"] is { } job && Guid.TryParse((string?)job, out var id))
        {
            var outcome = (await OutcomesAsync([id], ct)).GetValueOrDefault(id);
            return outcome?.Succeeded == true ? outcome.Result : WithStepId(outcome?.Result, (string?)ms["id"] ?? "");
        }
        return null;
    }

    /// <summary>Evaluates expressions with the flow context: <c>flow_input</c>, <c>previous_result</c>, the <c>results</c> they name.</summary>
    private async Task<List<JsonNode?>> EvalAsync(IReadOnlyList<(string Where, string Expr)> exprs, JsonNode? previous, JsonObject? parameters,
        CancellationToken ct)
    {
        var context = new JsonObject
        {
            ["flow_input"] = _flowInput.DeepClone(),
            ["previous_result"] = previous?.DeepClone(),
            ["results"] = await ResultsAsync(exprs.SelectMany(e => FlowExpressions.ReferencedResults(e.Expr)).Distinct().ToList(), ct),
            ["params"] = parameters?.DeepClone(),
            ["error"] = _error?.DeepClone(),
        };
        await AddFetchesAsync(context, exprs, ct);
        return (await js.EvaluateAsync(exprs, context, ct)).ToList();
    }

    /// <summary>The <c>variable("…")</c> and <c>resource("…")</c> values the expressions name, read with the flow's identity.</summary>
    private async Task AddFetchesAsync(JsonObject context, IReadOnlyList<(string Where, string Expr)> exprs, CancellationToken ct)
    {
        var fetches = exprs.SelectMany(e => FlowExpressions.Fetches(e.Expr)).Distinct().ToList();
        if (fetches.Count == 0) return;
        var references = new JsonObject();
        for (var i = 0; i < fetches.Count; i++)
            references[i.ToString()] = (fetches[i].Kind == "variable" ? "$var:" : "$res:") + fetches[i].Path;
        var values = await resolve(references, ct);
        var variables = new JsonObject();
        var resources = new JsonObject();
        for (var i = 0; i < fetches.Count; i++)
            (fetches[i].Kind == "variable" ? variables : resources)[fetches[i].Path] = values[i.ToString()]?.DeepClone();
        context["variables"] = variables;
        context["resources"] = resources;
    }

    /// <summary>Results of completed steps by id: this flow's first, then the flows around it (a loop body naming an outer step).</summary>
    private async Task<JsonObject> ResultsAsync(IReadOnlyList<string> ids, CancellationToken ct)
    {
        var results = new JsonObject();
        var wanted = ids.ToHashSet();
        var status = _status;
        var parent = flow.ParentJob;
        for (var depth = 0; wanted.Count > 0 && status is not null && depth < 50; depth++)
        {
            foreach (var ms in status["modules"]?.AsArray().OfType<JsonObject>() ?? [])
                if ((string?)ms["id"] is { } id && wanted.Contains(id) && (string?)ms["type"] is "Success" or "Failure")
                {
                    results[id] = await ResultOfAsync(ms, ct);
                    wanted.Remove(id);
                }
            if (parent is not { } p) break;
            (parent, status) = await tx.AncestorAsync(p, ct);
        }
        return results;
    }

    private async Task<JsonObject> InputsAsync(FlowModule module, IReadOnlyDictionary<string, InputTransform> inputs, JsonNode? previous,
        CancellationToken ct)
    {
        var args = new JsonObject();
        foreach (var (name, t) in inputs)
            if (t is StaticInput s) args[name] = s.Value?.DeepClone();
        var dynamic = inputs.Where(kv => kv.Value is JavascriptInput).ToList();
        var values = await EvalAsync(dynamic.Select(kv => ($"{module.Id}.input_transforms.{kv.Key}", ((JavascriptInput)kv.Value).Expr)).ToList(),
            previous, args, ct);
        for (var i = 0; i < dynamic.Count; i++) args[dynamic[i].Key] = values[i];
        return args;
    }

    /// <summary>When the step may start: after its <c>sleep</c> and <paramref name="extraDelay"/>.</summary>
    private async Task<DateTime> DelayAsync(FlowModule module, JsonNode? previous, TimeSpan extraDelay, CancellationToken ct)
    {
        var start = DateTime.UtcNow + extraDelay;
        if (module.Sleep is not { } sleep) return start;
        var value = sleep is StaticInput s ? s.Value : (await EvalAsync([($"{module.Id}.sleep", Expr(sleep))], previous, null, ct))[0];
        return value is JsonValue v && v.TryGetValue<double>(out var seconds) && seconds > 0 ? start.AddSeconds(seconds) : start;
    }

    private async Task<int> ParallelismAsync(string id, InputTransform? parallelism, JsonNode? previous, int count, CancellationToken ct)
    {
        if (parallelism is null) return count;
        var value = parallelism is StaticInput s ? s.Value : (await EvalAsync([($"{id}.parallelism", Expr(parallelism))], previous, null, ct))[0];
        return value is JsonValue v && v.TryGetValue<double>(out var n) && n >= 1 ? (int)Math.Min(n, count) : count;
    }

    // ---- helpers

    private string FlowPath => flow.RunnablePath ?? "";



    private static JsonObject Raw(FlowModule module) => module.Raw ?? throw new InvalidOperationException($"module {module.Id} has no JSON");

    private static string Expr(InputTransform t) => t is JavascriptInput j ? j.Expr : "undefined";

    private static void Succeed(JsonObject ms, JsonNode? result, bool skipped = false)
    {
        ms["type"] = "Success";
        ms["result"] = result?.DeepClone();
        if (skipped) ms["skipped"] = true;
    }

    private static IEnumerable<string> ModuleIds(JsonNode? modules) =>
        modules?.AsArray().Select(m => (string?)m?["id"] ?? "") ?? [];

    private static JsonObject Initial(IEnumerable<string> moduleIds, JsonNode? previousResult) => new()
    {
        ["step"] = 0,
        ["modules"] = new JsonArray(moduleIds.Select(id => (JsonNode)new JsonObject { ["type"] = "WaitingForPriorSteps", ["id"] = id }).ToArray()),
        ["failure_module"] = null,
        ["retry"] = new JsonObject { ["fail_count"] = 0, ["failed_jobs"] = new JsonArray() },
        ["previous_result"] = previousResult?.DeepClone(),
    };

    /// <summary>
    /// The error of a failed step as later steps see it (spec 7.4): <c>{message, name, stack, step_id}</c>, taken
    /// from inside the job's <c>{"error": ...}</c> result.
    /// </summary>
    private static JsonNode WithStepId(JsonNode? result, string stepId)
    {
        var inner = result is JsonObject { } o && o["error"] is JsonObject e ? e : result;
        var error = inner is JsonObject io ? io.DeepClone().AsObject() : new JsonObject { ["message"] = inner?.ToJsonString() ?? "step failed", ["name"] = "Error" };
        error["step_id"] ??= stepId;
        return error;
    }

    private static bool Truthy(List<JsonNode?> values) => Truthy(values[0]);

    private static bool Truthy(JsonNode? v) => v switch
    {
        null => false,
        JsonValue j when j.TryGetValue<bool>(out var b) => b,
        JsonValue j when j.TryGetValue<double>(out var d) => d != 0 && !double.IsNaN(d),
        JsonValue j when j.TryGetValue<string>(out var s) => s.Length > 0,
        _ => true,
    };

    private static string Describe(JsonNode? v) => v is null ? "null" : v.GetValueKind().ToString().ToLowerInvariant();

    private static string Json(JsonNode? v) => v?.ToJsonString() ?? "null";
}
