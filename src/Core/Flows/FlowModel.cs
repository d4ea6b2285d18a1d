using System.Text.Json.Nodes;

namespace Windmill.Jobs.Core.Flows;

/// <summary>An OpenFlow value (spec 7.1): the steps, and the step that runs when one fails.</summary>
public sealed record FlowValue(IReadOnlyList<FlowModule> Modules, FlowModule? FailureModule, bool SameWorker);

/// <summary>One step of a flow, with the options that wrap whatever it runs; <see cref="Raw"/> is its JSON as deployed.</summary>
public sealed record FlowModule(
    string Id,
    ModuleValue Value,
    string? Summary = null,
    StopAfterIf? StopAfterIf = null,
    string? SkipIf = null,
    InputTransform? Sleep = null,
    int? Timeout = null,
    JsonNode? MockResult = null,
    bool Mocked = false,
    Retry? Retry = null,
    bool ContinueOnError = false,
    JsonObject? Raw = null);

/// <summary>Ends the flow after a step when <see cref="Expr"/> is true (spec 7.4 rule 5).</summary>
public sealed record StopAfterIf(string Expr, bool SkipIfStopped, string? ErrorMessage);

/// <summary>What a step runs (tagged by <c>type</c> in OpenFlow).</summary>
public abstract record ModuleValue(string Type);

public sealed record RawScriptModule(string Content, string Language, string? Path, IReadOnlyDictionary<string, InputTransform> Inputs, string? Tag)
    : ModuleValue("rawscript");

public sealed record ScriptModule(string Path, string? Hash, IReadOnlyDictionary<string, InputTransform> Inputs, string? TagOverride)
    : ModuleValue("script");

public sealed record SubFlowModule(string Path, IReadOnlyDictionary<string, InputTransform> Inputs) : ModuleValue("flow");

public sealed record ForLoopModule(IReadOnlyList<FlowModule> Modules, InputTransform Iterator, bool SkipFailures, bool Parallel, InputTransform? Parallelism)
    : ModuleValue("forloopflow");

public sealed record WhileLoopModule(IReadOnlyList<FlowModule> Modules, bool SkipFailures) : ModuleValue("whileloopflow");

public sealed record BranchOneModule(IReadOnlyList<(string Expr, IReadOnlyList<FlowModule> Modules)> Branches, IReadOnlyList<FlowModule> Default)
    : ModuleValue("branchone");

public sealed record BranchAllModule(IReadOnlyList<(bool SkipFailure, IReadOnlyList<FlowModule> Modules)> Branches, bool Parallel)
    : ModuleValue("branchall");

public sealed record IdentityModule() : ModuleValue("identity");

/// <summary>How a step input is computed: a fixed value, or a JavaScript expression over the flow context.</summary>
public abstract record InputTransform;

public sealed record StaticInput(JsonNode? Value) : InputTransform;

public sealed record JavascriptInput(string Expr) : InputTransform;
