namespace Windmill.Jobs.Core.Jobs;

/// <summary>What a running job knows about itself: the inputs of the state path and of the <c>WM_*</c> variables.</summary>
public sealed record JobContext(
    string WorkspaceId,
    Guid JobId,
    string CreatedBy,
    string PermissionedAs,
    string Email,
    string? RunnablePath,
    Guid? ParentJob,
    Guid? RootJob,
    Guid? FlowInnermostRootJob,
    string? FlowPath,
    string? FlowStepId,
    string? SchedulePath,
    DateTime ScheduledFor,
    DateTime CreatedAt);
