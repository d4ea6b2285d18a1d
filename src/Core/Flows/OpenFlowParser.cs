using System.Text.Json;
using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Errors;
using Windmill.Jobs.Core.Scripts;

namespace Windmill.Jobs.Core.Flows;

/// <summary>
/// Reads an OpenFlow value (spec 7.1) and rejects what cannot run: unknown module types, missing fields,
/// duplicate module ids anywhere in the flow, unknown languages, and <c>results.x</c> naming no step
/// that has completed by then. Errors name the place, e.g. <c>value.modules[2].value.iterator</c>.
/// </summary>
public static class OpenFlowParser
{
    public static FlowValue Parse(JsonNode? value, string at = "value")
    {
        if (value is not JsonObject o) throw Bad(at, "must be an object with a modules array");
        var ids = new HashSet<string>();
        var modules = Modules(o["modules"], $"{at}.modules", ids, required: true);
        var failure = o["failure_module"] is JsonObject f ? Module(f, $"{at}.failure_module", ids) : null;
        var flow = new FlowValue(modules, failure, o["same_worker"]?.GetValueKind() == JsonValueKind.True);
        CheckReferences(flow.Modules, [], $"{at}.modules");
        if (failure is not null) CheckReferences([failure], ids.Where(i => i != failure.Id).ToHashSet(), $"{at}.failure_module");
        return flow;
    }

    /// <summary>
    /// The value stored on a running flow job: a whole flow, or the modules of a loop iteration or a branch
    /// (<c>{"modules": [...]}</c>), whose expressions may name steps outside it, so references are not checked.
    /// </summary>
    public static FlowValue ParseStored(JsonNode? value)
    {
        if (value is not JsonObject o) throw Bad("value", "must be an object with a modules array");
        var ids = new HashSet<string>();
        var modules = Modules(o["modules"], "value.modules", ids, required: true);
        var failure = o["failure_module"] is JsonObject f ? Module(f, "value.failure_module", ids) : null;
        return new FlowValue(modules, failure, o["same_worker"]?.GetValueKind() == JsonValueKind.True);
    }

    private static List<FlowModule> Modules(JsonNode? node, string at, HashSet<string> ids, bool required)
    {
        if (node is null && !required) return [];
        if (node is not JsonArray a) throw Bad(at, "must be an array of modules");
        return a.Select((m, i) => Module(m as JsonObject ?? throw Bad($"{at}[{i}]", "must be an object"), $"{at}[{i}]", ids)).ToList();
    }

    private static FlowModule Module(JsonObject m, string at, HashSet<string> ids)
    {
        var id = Text(m, "id", at) ?? throw Bad($"{at}.id", "is required");
        if (!ids.Add(id)) throw Bad($"{at}.id", $"duplicate module id '{id}': ids must be unique in the whole flow");
        var value = m["value"] as JsonObject ?? throw Bad($"{at}.value", "is required");
        var stop = m["stop_after_if"] is JsonObject s
            ? new StopAfterIf(Text(s, "expr", $"{at}.stop_after_if") ?? throw Bad($"{at}.stop_after_if.expr", "is required"),
                s["skip_if_stopped"]?.GetValueKind() == JsonValueKind.True, Text(s, "error_message", $"{at}.stop_after_if"))
            : null;
        var skip = m["skip_if"] is JsonObject k ? Text(k, "expr", $"{at}.skip_if") : null;
        var mock = m["mock"] as JsonObject;
        return new FlowModule(id, Value(value, $"{at}.value", ids),
            Summary: Text(m, "summary", at),
            StopAfterIf: stop,
            SkipIf: skip,
            Sleep: m["sleep"] is { } sleep ? Transform(sleep, $"{at}.sleep") : null,
            Timeout: Int(m["timeout"], $"{at}.timeout"),
            MockResult: mock?["return_value"]?.DeepClone(),
            Mocked: mock?["enabled"]?.GetValueKind() == JsonValueKind.True,
            Retry: m["retry"] is JsonObject r ? RetryOf(r, $"{at}.retry") : null,
            ContinueOnError: m["continue_on_error"]?.GetValueKind() == JsonValueKind.True,
            Raw: m);
    }

    private static ModuleValue Value(JsonObject v, string at, HashSet<string> ids)
    {
        var type = Text(v, "type", at) ?? throw Bad($"{at}.type", "is required");
        return type switch
        {
            "rawscript" => new RawScriptModule(
                Text(v, "content", at) ?? throw Bad($"{at}.content", "is required"),
                Language(v, at), Text(v, "path", at), Inputs(v, at), Text(v, "tag", at)),
            "script" => new ScriptModule(Text(v, "path", at) ?? throw Bad($"{at}.path", "is required"), Text(v, "hash", at), Inputs(v, at),
                Text(v, "tag_override", at)),
            "flow" => new SubFlowModule(Text(v, "path", at) ?? throw Bad($"{at}.path", "is required"), Inputs(v, at)),
            "forloopflow" => new ForLoopModule(Modules(v["modules"], $"{at}.modules", ids, required: true),
                v["iterator"] is { } it ? Transform(it, $"{at}.iterator") : throw Bad($"{at}.iterator", "is required"),
                v["skip_failures"]?.GetValueKind() == JsonValueKind.True, v["parallel"]?.GetValueKind() == JsonValueKind.True,
                v["parallelism"] switch
                {
                    null => null,
                    JsonValue n when n.GetValueKind() == JsonValueKind.Number => new StaticInput(n.DeepClone()),
                    var p => Transform(p, $"{at}.parallelism"),
                }),
            "whileloopflow" => new WhileLoopModule(Modules(v["modules"], $"{at}.modules", ids, required: true),
                v["skip_failures"]?.GetValueKind() == JsonValueKind.True),
            "branchone" => new BranchOneModule(
                Branches(v, at).Select((b, i) => (Text(b, "expr", $"{at}.branches[{i}]") ?? throw Bad($"{at}.branches[{i}].expr", "is required"),
                    (IReadOnlyList<FlowModule>)Modules(b["modules"], $"{at}.branches[{i}].modules", ids, required: true))).ToList(),
                Modules(v["default"], $"{at}.default", ids, required: false)),
            "branchall" => new BranchAllModule(
                Branches(v, at).Select((b, i) => (b["skip_failure"]?.GetValueKind() == JsonValueKind.True,
                    (IReadOnlyList<FlowModule>)Modules(b["modules"], $"{at}.branches[{i}].modules", ids, required: true))).ToList(),
                v["parallel"]?.GetValueKind() == JsonValueKind.True),
            "identity" => new IdentityModule(),
            _ => throw Bad($"{at}.type", $"unknown module type '{type}': use one of rawscript, script, flow, forloopflow, whileloopflow, branchone, branchall, identity"),
        };
    }

    private static List<JsonObject> Branches(JsonObject v, string at) =>
        v["branches"] is JsonArray a
            ? a.Select((b, i) => b as JsonObject ?? throw Bad($"{at}.branches[{i}]", "must be an object")).ToList()
            : throw Bad($"{at}.branches", "must be an array");

    private static string Language(JsonObject v, string at)
    {
        var language = Text(v, "language", at) ?? throw Bad($"{at}.language", "is required");
        try { return ScriptLanguage.Check(language); }
        catch (WindmillError e) { throw Bad($"{at}.language", e.Message); }
    }

    private static Dictionary<string, InputTransform> Inputs(JsonObject v, string at)
    {
        if (v["input_transforms"] is null) return [];
        if (v["input_transforms"] is not JsonObject inputs) throw Bad($"{at}.input_transforms", "must be an object");
        return inputs.ToDictionary(kv => kv.Key, kv => Transform(kv.Value, $"{at}.input_transforms.{kv.Key}"));
    }

    private static InputTransform Transform(JsonNode? node, string at)
    {
        if (node is not JsonObject t) throw Bad(at, "must be {\"type\": \"static\", \"value\": ...} or {\"type\": \"javascript\", \"expr\": ...}");
        return Text(t, "type", at) switch
        {
            "static" => new StaticInput(t["value"]?.DeepClone()),
            "javascript" => new JavascriptInput(Text(t, "expr", at) ?? throw Bad($"{at}.expr", "is required")),
            var other => throw Bad($"{at}.type", $"unknown input transform type '{other}': use static or javascript"),
        };
    }

    private static Retry RetryOf(JsonObject r, string at)
    {
        var c = r["constant"] as JsonObject;
        var e = r["exponential"] as JsonObject;
        return new Retry(
            Int(c?["attempts"], $"{at}.constant.attempts") ?? 0, Number(c?["seconds"], $"{at}.constant.seconds") ?? 0,
            Int(e?["attempts"], $"{at}.exponential.attempts") ?? 0, Number(e?["multiplier"], $"{at}.exponential.multiplier") ?? 1,
            Number(e?["seconds"], $"{at}.exponential.seconds") ?? 0, Int(e?["random_factor"], $"{at}.exponential.random_factor") ?? 0,
            r["retry_if"] is JsonObject ri ? Text(ri, "expr", $"{at}.retry_if") : null);
    }

    /// <summary>Every <c>results.x</c> must name a step completed by the time the expression runs.</summary>
    private static void CheckReferences(IReadOnlyList<FlowModule> modules, HashSet<string> known, string at)
    {
        var done = new HashSet<string>(known);
        for (var i = 0; i < modules.Count; i++)
        {
            var m = modules[i];
            var here = $"{at}[{i}]";
            foreach (var (where, expr) in Expressions(m)) CheckExpr(expr, done, $"{here}.{where}");
            switch (m.Value)
            {
                case ForLoopModule f: CheckReferences(f.Modules, done, $"{here}.value.modules"); break;
                case WhileLoopModule w: CheckReferences(w.Modules, done, $"{here}.value.modules"); break;
                case BranchOneModule b:
                    for (var k = 0; k < b.Branches.Count; k++) CheckReferences(b.Branches[k].Modules, done, $"{here}.value.branches[{k}].modules");
                    CheckReferences(b.Default, done, $"{here}.value.default");
                    break;
                case BranchAllModule b:
                    for (var k = 0; k < b.Branches.Count; k++) CheckReferences(b.Branches[k].Modules, done, $"{here}.value.branches[{k}].modules");
                    break;
            }
            done.Add(m.Id);
        }
    }

    private static IEnumerable<(string Where, string Expr)> Expressions(FlowModule m)
    {
        if (m.SkipIf is { } skip) yield return ("skip_if.expr", skip);
        if (m.Sleep is JavascriptInput sleep) yield return ("sleep.expr", sleep.Expr);
        var inputs = m.Value switch
        {
            RawScriptModule r => r.Inputs,
            ScriptModule s => s.Inputs,
            SubFlowModule f => f.Inputs,
            _ => new Dictionary<string, InputTransform>(),
        };
        foreach (var (name, t) in inputs)
            if (t is JavascriptInput js) yield return ($"value.input_transforms.{name}.expr", js.Expr);
        if (m.Value is ForLoopModule { Iterator: JavascriptInput it }) yield return ("value.iterator.expr", it.Expr);
        if (m.Value is BranchOneModule b)
            for (var k = 0; k < b.Branches.Count; k++) yield return ($"value.branches[{k}].expr", b.Branches[k].Expr);
    }

    private static void CheckExpr(string expr, HashSet<string> done, string at)
    {
        foreach (var id in FlowExpressions.ReferencedResults(expr))
            if (!done.Contains(id))
                throw Bad(at, $"results.{id} names no step that has completed before this one");
    }

    private static string? Text(JsonObject o, string key, string at) => o[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Null => null,
        _ => throw Bad($"{at}.{key}", "must be a string"),
    };

    private static int? Int(JsonNode? n, string at) => n switch
    {
        null => null,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue => (int)d,
        _ when n.GetValueKind() == JsonValueKind.Null => null,
        _ => throw Bad(at, "must be an integer"),
    };

    private static double? Number(JsonNode? n, string at) => n switch
    {
        null => null,
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        _ when n.GetValueKind() == JsonValueKind.Null => null,
        _ => throw Bad(at, "must be a number"),
    };

    private static WindmillError Bad(string at, string message) => WindmillError.BadRequest($"invalid flow: {at}: {message}");
}
