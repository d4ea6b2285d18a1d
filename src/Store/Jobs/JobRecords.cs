using Windmill.Jobs.Core.Security;

namespace Windmill.Jobs.Store.Jobs;

/// <summary>Job kinds of this subset (spec 6.1).</summary>
public static class JobKind
{
    public const string Script = "script";
    public const string Preview = "preview";
    public const string Flow = "flow";
    public const string FlowPreview = "flowpreview";
    public const string Identity = "identity";
    public const string Noop = "noop";
    /// <summary>A loop iteration or a branch of a flow: a flow job over a part of its parent's modules.</summary>
    public const string FlowNode = "flownode";

    public static bool IsFlow(string kind) => kind is Flow or FlowPreview or FlowNode;
}

/// <summary>Completed job statuses (spec 6.1).</summary>
public static class JobStatus
{
    public const string Success = "success";
    public const string Failure = "failure";
    public const string Canceled = "canceled";
    public const string Skipped = "skipped";
}

/// <summary>Everything the enqueue writes for one job: its definition, when it may start, and the pusher's identity.</summary>
public sealed record NewJob(
    Guid Id,
    string WorkspaceId,
    string Kind,
    string CreatedBy,
    string PermissionedAs,
    string Email,
    long? RunnableId,
    string? RunnablePath,
    string? Language,
    string? RawCode,
    string ArgsJson,
    string Tag,
    short? Priority,
    int? Timeout,
    DateTime ScheduledFor,
    WorkspaceIdentity Identity,
    Guid? ParentJob = null,
    Guid? RootJob = null,
    string? Trigger = null,
    string? TriggerKind = null,
    string? FlowStepId = null,
    bool VisibleToOwner = true,
    bool NotifyCompletion = false,
    string? RawFlow = null,
    string? TraceParent = null);

/// <summary>A job a worker has claimed: its definition, identity snapshot and the claim that lets it complete the job.</summary>
public sealed record ClaimedJob(
    Guid Id,
    Guid ClaimId,
    string WorkspaceId,
    string Kind,
    string CreatedBy,
    string PermissionedAs,
    string Email,
    string? RunnablePath,
    string? Language,
    string? Code,
    string ArgsJson,
    string Tag,
    int? Timeout,
    Guid? ParentJob,
    Guid? RootJob,
    string? FlowPath,
    string? FlowStepId,
    string? SchedulePath,
    DateTime ScheduledFor,
    DateTime CreatedAt,
    DateTime StartedAt,
    JobTokenClaims Identity,
    string? RawFlow = null,
    string? TraceParent = null);

/// <summary>How a run ended: status, result JSON, and who canceled it if it was.</summary>
public sealed record JobOutcome(string Status, string ResultJson, string? CanceledBy = null, string? CanceledReason = null);

/// <summary>What the heartbeat learns about a running job.</summary>
public enum PingAnswer { Running, CancelRequested, ClaimLost }

/// <summary>Whether a completion took (the claim was still ours), and the parent flows it woke, to dispatch.</summary>
public sealed record Completed(bool Done, IReadOnlyList<DispatchItem> WokenParents);
