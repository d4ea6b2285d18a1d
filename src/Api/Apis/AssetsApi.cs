using System.Globalization;
using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Assets;
using Windmill.Jobs.Store.Assets;

namespace Windmill.Jobs.Api.Apis;

/// <summary>
/// Assets (spec 9.6): the listing with usages and keyset paging, the assets of given usages, an access mode
/// set by hand on a static usage, and (beyond Windmill) lineage: who writes an asset upstream, who reads it
/// downstream, level by level. Usages are shown only when the caller can read the script, flow or job's
/// runnable behind them.
/// </summary>
public static class AssetsApi
{
    public sealed record UsageRef(string? Kind, string? Path);
    public sealed record ListByUsages(List<UsageRef>? Usages);
    public sealed record ChooseAccess(string? Kind, string? Path, string? UsageKind, string? UsagePath, string? AccessType);

    private const int MaxLineageDepth = 10;

    public static RouteGroupBuilder MapAssetsApi(this RouteGroupBuilder w)
    {
        var g = w.MapGroup("/assets");
        g.MapGet("/list", List);
        g.MapPost("/list_by_usages", ByUsages);
        g.MapPost("/update_usage_access", UpdateUsageAccess);
        g.MapGet("/lineage", Lineage);
        return w;
    }

    private static async Task<IResult> List(Authed who, AssetStore store, int? per_page, string? cursor_created_at, long? cursor_id,
        string? asset_path, string? usage_path, string? asset_kinds, CancellationToken ct)
    {
        var perPage = Math.Clamp(per_page ?? 50, 1, 1000);
        (DateTime, long)? after = null;
        if (cursor_created_at is not null)
        {
            if (!DateTime.TryParse(cursor_created_at, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at))
                throw WindmillError.BadRequest("cursor_created_at must be a timestamp");
            after = (at, cursor_id ?? long.MaxValue);
        }
        string[]? kinds = null;
        if (!string.IsNullOrEmpty(asset_kinds))
        {
            kinds = asset_kinds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var k in kinds)
                if (!AssetKinds.TryParse(k, out _)) throw WindmillError.BadRequest($"asset_kinds: unknown kind '{k}' (use {KindNames})");
        }
        var heads = await store.PageAsync(who.Workspace, Like(asset_path), kinds, Like(usage_path), after, perPage + 1, ct);
        var page = heads.Take(perPage).ToList();
        var usages = await store.UsagesOfAsync(who.Workspace, [.. page.Select(h => (h.Kind, h.Path))], ct);
        var resourceTypes = await store.ResourceTypesAsync(who.Workspace, [.. page.Where(h => h.Kind == "resource").Select(h => h.Path)], ct);
        var assets = new JsonArray();
        foreach (var head in page)
        {
            var visible = usages.Where(u => u.Kind == head.Kind && u.Path == head.Path && Visible(who, u)).ToList();
            if (visible.Count == 0) continue;
            assets.Add(new JsonObject
            {
                ["path"] = head.Path, ["kind"] = head.Kind,
                ["usages"] = new JsonArray([.. visible.Select(UsageJson)]),
                ["metadata"] = resourceTypes.TryGetValue(head.Path, out var type) ? new JsonObject { ["resource_type"] = type } : null,
            });
        }
        var next = heads.Count > perPage ? new JsonObject { ["created_at"] = page[^1].CreatedAt.ToString("O"), ["id"] = page[^1].Id } : null;
        return Results.Json(new JsonObject { ["assets"] = assets, ["next_cursor"] = next });
    }

    private static async Task<IResult> ByUsages(Authed who, AssetStore store, ListByUsages body, CancellationToken ct)
    {
        var usages = body.Usages ?? throw WindmillError.BadRequest("usages is required");
        var keys = new List<AssetUsageKey>();
        for (var i = 0; i < usages.Count; i++)
        {
            if (usages[i].Kind is not ("script" or "flow" or "job")) throw WindmillError.BadRequest($"usages[{i}].kind must be script, flow or job");
            if (string.IsNullOrEmpty(usages[i].Path)) throw WindmillError.BadRequest($"usages[{i}].path is required");
            keys.Add(new AssetUsageKey(usages[i].Kind!, usages[i].Path!));
        }
        var found = await store.AssetsOfAsync(who.Workspace, keys, ct);
        return Results.Json(new JsonArray([.. found.Select((rows, i) => (JsonNode)new JsonArray([.. rows
            .Where(r => keys[i].Kind == "job" || PathPermissions.CanRead(who.Identity, keys[i].Path, null))
            .Select(r => (JsonNode)new JsonObject { ["path"] = r.Path, ["kind"] = r.Kind, ["access_type"] = r.Access, ["columns"] = Columns(r.Columns) })]))]));
    }

    private static async Task<IResult> UpdateUsageAccess(Authed who, WindmillDb db, AssetStore store, ChooseAccess body, CancellationToken ct)
    {
        who.RequireWriter("set how an asset is used");
        if (!AssetKinds.TryParse(body.Kind, out var kind)) throw WindmillError.BadRequest($"kind must be one of {KindNames}");
        if (AssetPathRules.Problem(body.Path) is { } problem) throw WindmillError.BadRequest($"path {problem}");
        if (body.UsageKind is not ("script" or "flow")) throw WindmillError.BadRequest("usage_kind must be script or flow (job usages are recorded, not chosen)");
        if (AssetPathRules.Problem(body.UsagePath) is { } usageProblem) throw WindmillError.BadRequest($"usage_path {usageProblem}");
        var access = AssetAccesses.Parse(body.AccessType);
        if (body.AccessType is not null && access is null) throw WindmillError.BadRequest("access_type must be r, w, rw or null");
        await RequireWriteAsync(who, db, body.UsageKind, body.UsagePath!, ct);
        if (!await store.ChooseAccessAsync(who.Workspace, kind.Name(), body.Path!, body.UsageKind, body.UsagePath!, access?.Name(), ct))
            throw WindmillError.NotFound($"{body.UsageKind} {body.UsagePath} has no detected usage of {kind.Name()} {body.Path}");
        return Replies.Text($"{body.UsageKind} {body.UsagePath} now uses {kind.Name()} {body.Path} as {access?.Name() ?? "unknown"}");
    }

    private static async Task RequireWriteAsync(Authed who, WindmillDb db, string usageKind, string path, CancellationToken ct)
    {
        if (usageKind == "script")
        {
            var s = Access.RequireFound(await db.Scripts.AsNoTracking().Where(x => x.WorkspaceId == who.Workspace && x.Path == path && !x.Deleted)
                .OrderByDescending(x => x.CreatedAt).FirstOrDefaultAsync(ct), "Script", path);
            Access.RequireWrite(who, "Script", path, s.ExtraPerms);
        }
        else
        {
            var f = Access.RequireFound(await db.Flows.AsNoTracking().FirstOrDefaultAsync(x => x.WorkspaceId == who.Workspace && x.Path == path, ct), "Flow", path);
            Access.RequireWrite(who, "Flow", path, f.ExtraPerms);
        }
    }

    /// <summary>
    /// Runnables that write the asset (upstream) and that read it (downstream), then, level by level, those
    /// that write what the upstream ones read and read what the downstream ones write. Usages of unknown
    /// access have no direction and are left out.
    /// </summary>
    private static async Task<IResult> Lineage(Authed who, AssetStore store, string? kind, string? path, int? depth, CancellationToken ct)
    {
        if (!AssetKinds.TryParse(kind, out var k)) throw WindmillError.BadRequest($"kind must be one of {KindNames}");
        if (AssetPathRules.Problem(path) is { } problem) throw WindmillError.BadRequest($"path {problem}");
        var levels = Math.Clamp(depth ?? 3, 1, MaxLineageDepth);
        var start = (k.Name(), path!);
        return Results.Json(new JsonObject
        {
            ["asset"] = new JsonObject { ["kind"] = start.Item1, ["path"] = start.Item2 },
            ["upstream"] = await WalkAsync(who, store, start, levels, towardWriters: true, ct),
            ["downstream"] = await WalkAsync(who, store, start, levels, towardWriters: false, ct),
        });
    }

    private static async Task<JsonArray> WalkAsync(Authed who, AssetStore store, (string Kind, string Path) start, int levels, bool towardWriters,
        CancellationToken ct)
    {
        var result = new JsonArray();
        var seenAssets = new HashSet<(string, string)> { start };
        var seenRunnables = new HashSet<AssetUsageKey>();
        var frontier = new List<(string Kind, string Path)> { start };
        for (var level = 1; level <= levels && frontier.Count > 0; level++)
        {
            // Who writes (or reads) the frontier's assets.
            var usages = await store.UsagesOfAsync(who.Workspace, frontier, ct);
            var runnables = usages
                .Where(u => u.UsageKind is "script" or "flow" && (towardWriters ? Writes(u.Access) : Reads(u.Access)) && Visible(who, u))
                .Select(u => new AssetUsageKey(u.UsageKind, u.UsagePath)).Distinct().Where(seenRunnables.Add).ToList();
            if (runnables.Count == 0) break;
            var assetsOf = await store.AssetsOfAsync(who.Workspace, runnables, ct);
            frontier = [];
            for (var i = 0; i < runnables.Count; i++)
            {
                result.Add(new JsonObject
                {
                    ["kind"] = runnables[i].Kind, ["path"] = runnables[i].Path, ["depth"] = level,
                    ["assets"] = new JsonArray([.. assetsOf[i].Select(a => (JsonNode)new JsonObject { ["kind"] = a.Kind, ["path"] = a.Path, ["access_type"] = a.Access })]),
                });
                // Upstream goes on through what a writer reads; downstream through what a reader writes.
                frontier.AddRange(assetsOf[i].Where(a => towardWriters ? Reads(a.Access) : Writes(a.Access))
                    .Select(a => (a.Kind, a.Path)).Where(seenAssets.Add));
            }
        }
        return result;
    }

    private static bool Writes(string? access) => access is "w" or "rw";
    private static bool Reads(string? access) => access is "r" or "rw";

    private static bool Visible(Authed who, AssetUsageRow u) =>
        u.UsageKind == "job" ? u.RunnablePath is null || PathPermissions.CanRead(who.Identity, u.RunnablePath, null)
            : PathPermissions.CanRead(who.Identity, u.UsagePath, null);

    private static JsonNode UsageJson(AssetUsageRow u) => new JsonObject
    {
        ["path"] = u.UsagePath, ["kind"] = u.UsageKind, ["access_type"] = u.Access, ["columns"] = Columns(u.Columns),
        ["created_at"] = u.CreatedAt.ToString("O"),
        ["metadata"] = u.UsageKind == "job" ? new JsonObject { ["runnable_path"] = u.RunnablePath, ["job_kind"] = u.JobKind } : null,
    };

    private static JsonNode? Columns(string? json) => json is null ? null : JsonNode.Parse(json);

    /// <summary>A case-insensitive "contains" pattern, the user's text taken literally.</summary>
    private static string? Like(string? text) =>
        string.IsNullOrEmpty(text) ? null : "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";

    private static string KindNames => string.Join(", ", Enum.GetValues<AssetKind>().Select(k => k.Name()));
}
