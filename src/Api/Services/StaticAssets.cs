using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Windmill.Jobs.Core.Assets;
using Windmill.Jobs.Store.Assets;

namespace Windmill.Jobs.Api.Services;

/// <summary>
/// Static asset detection on deploy (spec 9.1, 9.4): the assets found replace the runnable's stored ones,
/// in the deploy's transaction. Detection never fails a deploy; what it could not do comes back as a
/// warning, which the deploy routes send in the <see cref="WarningHeader"/> header.
/// </summary>
public static class StaticAssets
{
    public const string WarningHeader = "x-windmill-warning";

    public static async Task<string?> StoreScriptAsync(WindmillDb db, string workspace, string path, string language, string content, CancellationToken ct)
    {
        var detection = AssetDetector.Detect(language, content);
        var warnings = detection.Warning is null ? new List<string>() : [detection.Warning];
        await StoreAsync(db, workspace, "script", path, detection.Assets, warnings, ct);
        return Joined(warnings);
    }

    public static async Task<string?> StoreFlowAsync(WindmillDb db, string workspace, string path, JsonNode? value, CancellationToken ct)
    {
        var assets = FlowAssets.Detect(value);
        var warnings = new List<string>(assets.Warnings);
        await StoreAsync(db, workspace, "flow", path, assets.Merged, warnings, ct);
        return Joined(warnings);
    }

    public static Task ForgetAsync(WindmillDb db, string workspace, string usageKind, string path, CancellationToken ct) =>
        AssetStore.DeleteStaticAsync(Connection(db), Transaction(db), workspace, usageKind, path, ct);

    public static void Warn(HttpResponse response, string? warning)
    {
        // Header values are ASCII lines.
        if (warning is not null) response.Headers[WarningHeader] = new string(warning.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
    }

    private static async Task StoreAsync(WindmillDb db, string workspace, string usageKind, string path, List<DetectedAsset> assets,
        List<string> warnings, CancellationToken ct)
    {
        var kept = new List<DetectedAsset>();
        foreach (var a in assets)
            if (AssetPathRules.Problem(a.Path) is { } problem) warnings.Add($"asset {Shown(a.Path)} left out: its path {problem}");
            else kept.Add(a);
        await AssetStore.ReplaceStaticAsync(Connection(db), Transaction(db), workspace, usageKind, path, kept, ct);
    }

    private static string Shown(string path) => path.Length > 80 ? path[..80] + "…" : path;

    private static string? Joined(List<string> warnings) => warnings.Count == 0 ? null : string.Join("; ", warnings);

    private static NpgsqlConnection Connection(WindmillDb db) => (NpgsqlConnection)db.Database.GetDbConnection();

    private static NpgsqlTransaction? Transaction(WindmillDb db) => db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction;
}
