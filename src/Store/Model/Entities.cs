namespace Windmill.Jobs.Store.Model;

// Rows of the store, named and shaped after Windmill's tables (spec 1, 2, 3, 11). JSON columns are kept
// as text (jsonb in PostgreSQL) and parsed where they are used.

public sealed class Workspace
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string Owner { get; set; }
    public bool Deleted { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>The per-workspace key string of the secret cipher (spec 2.2).</summary>
public sealed class WorkspaceKey
{
    public required string WorkspaceId { get; set; }
    public string Kind { get; set; } = "cloud";
    public required string Key { get; set; }
}

/// <summary>An instance-level user (Windmill's <c>password</c> table): the login identity.</summary>
public sealed class InstanceUser
{
    public required string Email { get; set; }
    public string? PasswordHash { get; set; }
    public bool SuperAdmin { get; set; }
    public string? Name { get; set; }
    public string LoginType { get; set; } = "password";
    public bool Verified { get; set; } = true;
    public DateTime CreatedAt { get; set; }
}

/// <summary>A user's membership of one workspace (Windmill's <c>usr</c>).</summary>
public sealed class WorkspaceUser
{
    public required string WorkspaceId { get; set; }
    public required string Username { get; set; }
    public required string Email { get; set; }
    public bool IsAdmin { get; set; }
    public bool Operator { get; set; }
    public bool Disabled { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class Group
{
    public required string WorkspaceId { get; set; }
    public required string Name { get; set; }
    public string? Summary { get; set; }
    public string ExtraPerms { get; set; } = "{}";
}

public sealed class GroupMember
{
    public required string WorkspaceId { get; set; }
    public required string GroupName { get; set; }
    public required string Username { get; set; }
}

public sealed class Folder
{
    public required string WorkspaceId { get; set; }
    public required string Name { get; set; }
    public required string DisplayName { get; set; }
    public string[] Owners { get; set; } = [];
    public string ExtraPerms { get; set; } = "{}";
    public string? Summary { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime EditedAt { get; set; }
}

/// <summary>An API or session token; only its SHA-256 hash is stored.</summary>
public sealed class Token
{
    public required string TokenHash { get; set; }
    public required string TokenPrefix { get; set; }
    public string? Label { get; set; }
    public DateTime? Expiration { get; set; }
    public string? WorkspaceId { get; set; }
    public required string Email { get; set; }
    public string[]? Scopes { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
}

public sealed class Variable
{
    public required string WorkspaceId { get; set; }
    public required string Path { get; set; }
    public required string Value { get; set; }
    public bool IsSecret { get; set; }
    public string Description { get; set; } = "";
    public string ExtraPerms { get; set; } = "{}";
    public int? Account { get; set; }
    public bool IsOauth { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public string[]? Labels { get; set; }
    public DateTime EditedAt { get; set; }
    public string? EditedBy { get; set; }
}

public sealed class Resource
{
    public required string WorkspaceId { get; set; }
    public required string Path { get; set; }
    public string Value { get; set; } = "null";
    public string? Description { get; set; }
    public required string ResourceType { get; set; }
    public string ExtraPerms { get; set; } = "{}";
    public string? CreatedBy { get; set; }
    public DateTime EditedAt { get; set; }
    public string[]? Labels { get; set; }
}

public sealed class ResourceType
{
    public required string WorkspaceId { get; set; }
    public required string Name { get; set; }
    public string? Schema { get; set; }
    public string? Description { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime EditedAt { get; set; }
    public string? FormatExtension { get; set; }
    public bool IsFileset { get; set; }
}

/// <summary>Who did what (Windmill's <c>audit</c>); parameters never hold secret values.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public required string WorkspaceId { get; set; }
    public required string Username { get; set; }
    public required string Operation { get; set; }
    public required string ActionKind { get; set; }
    public string? Resource { get; set; }
    public string? Parameters { get; set; }
    public DateTime Timestamp { get; set; }
}

/// <summary>One version of a script; the live version of a path is the one not archived.</summary>
public sealed class Script
{
    public required string WorkspaceId { get; set; }
    public long Hash { get; set; }
    public required string Path { get; set; }
    public long[]? ParentHashes { get; set; }
    public string Summary { get; set; } = "";
    public string Description { get; set; } = "";
    public required string Content { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public bool Archived { get; set; }
    public bool Deleted { get; set; }
    public string? Schema { get; set; }
    public string ExtraPerms { get; set; } = "{}";
    public string? Lock { get; set; }
    public required string Language { get; set; }
    public string Kind { get; set; } = "script";
    public string? Tag { get; set; }
    public int? Timeout { get; set; }
    public short? Priority { get; set; }
}

public sealed class Flow
{
    public required string WorkspaceId { get; set; }
    public required string Path { get; set; }
    public string Summary { get; set; } = "";
    public string Description { get; set; } = "";
    public required string Value { get; set; }
    public string? Schema { get; set; }
    public required string EditedBy { get; set; }
    public DateTime EditedAt { get; set; }
    public bool Archived { get; set; }
    public string ExtraPerms { get; set; } = "{}";
    public string? Tag { get; set; }
    public int? Timeout { get; set; }
    public short? Priority { get; set; }
    public long[] Versions { get; set; } = [];
}

public sealed class FlowVersion
{
    public long Id { get; set; }
    public required string WorkspaceId { get; set; }
    public required string Path { get; set; }
    public required string Value { get; set; }
    public string? Schema { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class Schedule
{
    public required string WorkspaceId { get; set; }
    public required string Path { get; set; }
    public required string EditedBy { get; set; }
    public DateTime EditedAt { get; set; }
    public required string Cron { get; set; }
    public string Timezone { get; set; } = "UTC";
    public bool Enabled { get; set; } = true;
    public required string ScriptPath { get; set; }
    public bool IsFlow { get; set; }
    public string? Args { get; set; }
    public string ExtraPerms { get; set; } = "{}";
    public required string Email { get; set; }
    public string? Error { get; set; }
    public string? OnFailure { get; set; }
    public int? OnFailureTimes { get; set; }
    public bool? OnFailureExact { get; set; }
    public string? OnFailureExtraArgs { get; set; }
    public string? OnRecovery { get; set; }
    public int? OnRecoveryTimes { get; set; }
    public string? OnRecoveryExtraArgs { get; set; }
    public string? OnSuccess { get; set; }
    public string? OnSuccessExtraArgs { get; set; }
    public bool WsErrorHandlerMuted { get; set; }
    public string? Retry { get; set; }
    public string? Summary { get; set; }
    public string? Description { get; set; }
    public bool NoFlowOverlap { get; set; }
    public string? Tag { get; set; }
    public DateTime? PausedUntil { get; set; }
    public string CronVersion { get; set; } = "v2";
}

public sealed class WorkspaceSettings
{
    public required string WorkspaceId { get; set; }
    public string? LargeFileStorage { get; set; }
}
