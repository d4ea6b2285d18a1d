namespace Windmill.Jobs.Core.Assets;

/// <summary>
/// Assets of Python scripts (spec 9.4): calls <c>wmill.&lt;helper&gt;(…)</c> whose argument (by position or
/// keyword) is a constant string; <c>db = wmill.datatable('x')</c> / <c>wmill.ducklake('x')</c> handles and the
/// SQL of their <c>db.query("…")</c> calls; any other constant string that parses as an asset URI, with
/// unknown access. Comments and f-strings never count.
/// </summary>
public static class PythonAssetParser
{
    /// <param name="Fallback">A second position to look at when the first is not a constant string.</param>
    private sealed record Helper(AssetKind Kind, AssetAccess? Access, int Position, string Keyword, int? Fallback = null);

    private static readonly Dictionary<string, Helper> Helpers = new()
    {
        ["load_s3_file"] = new(AssetKind.S3Object, AssetAccess.R, 0, "s3object"),
        ["load_s3_file_reader"] = new(AssetKind.S3Object, AssetAccess.R, 0, "s3object"),
        ["write_s3_file"] = new(AssetKind.S3Object, AssetAccess.W, 0, "s3object"),
        ["get_resource"] = new(AssetKind.Resource, null, 0, "path"),
        // Windmill's parser reads the path at position 0, but the client's signature is set_resource(value, path): both are tried.
        ["set_resource"] = new(AssetKind.Resource, AssetAccess.W, 0, "path", Fallback: 1),
        ["get_boto3_connection_settings"] = new(AssetKind.Resource, null, 0, "s3_resource_path"),
        ["get_polars_connection_settings"] = new(AssetKind.Resource, null, 0, "s3_resource_path"),
        ["get_duckdb_connection_settings"] = new(AssetKind.Resource, null, 0, "s3_resource_path"),
        ["polars_connection_settings"] = new(AssetKind.Resource, null, 0, "s3_resource_path"),
        ["duckdb_connection_settings"] = new(AssetKind.Resource, null, 0, "s3_resource_path"),
    };

    public static List<DetectedAsset> Parse(string code) => Parse(PythonTokenizer.Tokenize(code));

    /// <summary>The same, from tokens already made (the detector also checks their brackets).</summary>
    public static List<DetectedAsset> Parse(List<CodeToken> t)
    {
        var assets = new AssetSet();
        var consumed = new HashSet<int>(); // string tokens a matched call already accounted for
        var handles = new Dictionary<string, (AssetKind Kind, string Name, bool Queried)>();
        void EndHandle(string variable)
        {
            if (handles.Remove(variable, out var h) && !h.Queried) assets.Add(h.Kind, h.Name, null);
        }

        for (var i = 0; i < t.Count; i++)
        {
            // wmill.helper(…)
            if (t[i].IsName("wmill") && i + 3 < t.Count && t[i + 1].Is(".") && t[i + 2].Kind == CodeTokenKind.Name && t[i + 3].Is("(")
                && (i == 0 || !t[i - 1].Is(".")))
            {
                var name = t[i + 2].Value;
                var args = CallArguments.Read(t, i + 3);
                if (Helpers.TryGetValue(name, out var helper))
                {
                    var range = args.Get(helper.Position, helper.Keyword);
                    if (CallArguments.ConstantString(t, range) is null && helper.Fallback is { } fallback) range = args.Get(fallback, null);
                    if (CallArguments.ConstantString(t, range) is { } value)
                    {
                        assets.Add(helper.Kind, AssetUri.PathOf(value), helper.Access);
                        for (var k = range!.Value.Start; k < range.Value.End; k++) consumed.Add(k);
                    }
                }
                else if (name is "datatable" or "ducklake" && i >= 2 && t[i - 1].Is("=") && t[i - 2].Kind == CodeTokenKind.Name)
                {
                    var range = args.Get(0, "name") ?? args.Get(0, "path");
                    var db = CallArguments.ConstantString(t, range) ?? (range is null ? "main" : null);
                    EndHandle(t[i - 2].Value);
                    if (db is not null)
                    {
                        handles[t[i - 2].Value] = (name == "datatable" ? AssetKind.Datatable : AssetKind.Ducklake, db, false);
                        for (var k = range?.Start ?? 0; k < (range?.End ?? 0); k++) consumed.Add(k);
                    }
                }
                continue;
            }
            // db.query("SQL", …) on a tracked handle.
            if (t[i].Kind == CodeTokenKind.Name && handles.TryGetValue(t[i].Value, out var handle) && i + 3 < t.Count && t[i + 1].Is(".")
                && t[i + 2].IsName("query") && t[i + 3].Is("("))
            {
                var args = CallArguments.Read(t, i + 3);
                if (CallArguments.ConstantString(t, args.Get(0, "sql")) is { } sql)
                {
                    handles[t[i].Value] = handle with { Queried = true };
                    foreach (var a in DatabaseQuery(sql, handle.Kind, handle.Name)) assets.Add(a);
                    var r = args.Get(0, "sql")!.Value;
                    for (var k = r.Start; k < r.End; k++) consumed.Add(k);
                }
                continue;
            }
            // Reassigning a handle's variable ends its tracking.
            if (t[i].Kind == CodeTokenKind.Name && i + 1 < t.Count && t[i + 1].Is("=") && handles.ContainsKey(t[i].Value)
                && !(i + 3 < t.Count && t[i + 2].IsName("wmill")))
                EndHandle(t[i].Value);
        }
        foreach (var variable in handles.Keys.ToList()) EndHandle(variable);

        for (var i = 0; i < t.Count; i++)
            if (t[i].IsConstantString && !consumed.Contains(i) && AssetUri.TryParse(t[i].Value, out var kind, out var path))
                assets.Add(kind, path, null);
        return assets.ToList();
    }

    /// <summary>
    /// The assets of a query on a datatable or ducklake handle: its tables (<c>name/table</c>) with their
    /// access; when no table is found, the database itself with a keyword guess of the access.
    /// </summary>
    internal static List<DetectedAsset> DatabaseQuery(string sql, AssetKind kind, string name)
    {
        var found = SqlAssetParser.Parse(sql, (kind, name));
        return found.Count > 0 ? found : [new DetectedAsset(kind, name, SqlAccessGuess.Of(sql))];
    }
}
