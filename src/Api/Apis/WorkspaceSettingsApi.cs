using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Storage;

namespace Windmill.Jobs.Api.Apis;

/// <summary>
/// Workspace settings (spec 10.2, 16): the object storage the workspace links. Editing needs a workspace
/// admin; any member may read the settings (they hold resource paths, never credentials).
/// </summary>
public static class WorkspaceSettingsApi
{
    public sealed record EditStorage(JsonObject? LargeFileStorage);

    public static RouteGroupBuilder MapWorkspaceSettingsApi(this RouteGroupBuilder w)
    {
        w.MapPost("/workspaces/edit_large_file_storage_config", Edit);
        w.MapGet("/workspaces/get_settings", async (Authed who, WindmillDb db, CancellationToken ct) =>
        {
            var settings = await db.WorkspaceSettings.AsNoTracking().FirstOrDefaultAsync(s => s.WorkspaceId == who.Workspace, ct);
            return Results.Json(new JsonObject
            {
                ["workspace_id"] = who.Workspace,
                ["large_file_storage"] = settings?.LargeFileStorage is { } json ? JsonNode.Parse(json) : null,
            });
        });
        return w;
    }

    private static async Task<IResult> Edit(Authed who, WindmillDb db, AuditLog audit, EditStorage body, CancellationToken ct)
    {
        who.RequireAdmin("editing the workspace storage");
        LargeFileStorage.Parse(body.LargeFileStorage);
        var settings = await db.WorkspaceSettings.FirstOrDefaultAsync(s => s.WorkspaceId == who.Workspace, ct);
        if (settings is null) db.WorkspaceSettings.Add(settings = new WorkspaceSettings { WorkspaceId = who.Workspace });
        settings.LargeFileStorage = body.LargeFileStorage?.ToJsonString();
        await db.SaveChangesAsync(ct);
        audit.Record(who.Workspace, who.Username, "workspaces.edit_large_file_storage_config", "Update", who.Workspace);
        return Replies.Text($"Edit large file storage config for workspace {who.Workspace}");
    }
}
