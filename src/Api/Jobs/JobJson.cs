using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Scripts;

namespace Windmill.Jobs.Api.Jobs;

/// <summary>Windmill's <c>QueuedJob</c> / <c>CompletedJob</c> JSON (spec 6.10), and who may see a job.</summary>
public static class JobJson
{
    public static JsonObject Of(JobView j, string? logs, (string? RawFlow, string? FlowStatus) flow = default)
    {
        var o = new JsonObject
        {
            ["type"] = j.Completed ? "CompletedJob" : "QueuedJob",
            ["id"] = j.Id,
            ["workspace_id"] = j.WorkspaceId,
            ["parent_job"] = j.ParentJob,
            ["root_job"] = j.RootJob,
            ["created_by"] = j.CreatedBy,
            ["created_at"] = j.CreatedAt,
            ["started_at"] = j.StartedAt,
            ["script_path"] = j.RunnablePath,
            ["script_hash"] = j.RunnableId is { } h ? ScriptHash.ToHex(h) : null,
            ["args"] = j.ArgsJson is null ? null : JsonNode.Parse(j.ArgsJson),
            ["logs"] = logs,
            ["raw_code"] = j.RawCode,
            ["canceled"] = j.CanceledBy is not null,
            ["canceled_by"] = j.CanceledBy,
            ["canceled_reason"] = j.CanceledReason,
            ["job_kind"] = j.Kind,
            ["schedule_path"] = j.SchedulePath,
            ["permissioned_as"] = j.PermissionedAs,
            ["flow_status"] = flow.FlowStatus is null ? null : JsonNode.Parse(flow.FlowStatus),
            ["raw_flow"] = flow.RawFlow is null ? null : JsonNode.Parse(flow.RawFlow),
            ["is_flow_step"] = j.ParentJob is not null,
            ["language"] = j.Language,
            ["email"] = j.Email,
            ["visible_to_owner"] = j.VisibleToOwner,
            ["mem_peak"] = null,
            ["tag"] = j.Tag,
            ["priority"] = j.Priority,
            ["worker"] = j.Worker,
        };
        if (j.Completed)
        {
            o["success"] = j.Status == JobStatus.Success;
            o["result"] = j.ResultJson is null ? null : JsonNode.Parse(j.ResultJson);
            o["duration_ms"] = j.DurationMs;
            o["deleted"] = false;
            o["is_skipped"] = j.Status == JobStatus.Skipped;
            o["completed_at"] = j.CompletedAt;
            o["status"] = j.Status;
        }
        else
        {
            o["running"] = j.Running;
            o["scheduled_for"] = j.ScheduledFor;
            o["last_ping"] = j.LastPing;
        }
        return o;
    }

    /// <summary>
    /// A job is visible to admins, to whoever it runs as or was created by, to members of the group it runs
    /// as, and to those who can read its script's path.
    /// </summary>
    public static bool CanSee(Authed who, JobView j)
    {
        var me = who.Identity;
        if (me.IsAdmin || j.CreatedBy == me.Username || j.PermissionedAs == "u/" + me.Username) return true;
        if (j.PermissionedAs.StartsWith("g/") && me.Groups.Contains(j.PermissionedAs[2..])) return true;
        if (me.JobId is { } myJob && (myJob == j.Id || myJob == j.RootJob || myJob == j.ParentJob)) return true;
        return j.RunnablePath is not null && ObjectPath.IsValid(j.RunnablePath) && PathPermissions.CanRead(me, j.RunnablePath, null);
    }
}
