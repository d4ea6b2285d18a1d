namespace Windmill.Jobs.Core.Assets;

/// <summary>
/// Assets of TypeScript and JavaScript scripts (spec 9.4): calls of the client's helpers (as functions or
/// methods) whose argument is a constant string; <c>const sql = wmill.datatable('dt')</c> (or ducklake) and the
/// SQL of its tagged templates; any other constant string that parses as an asset URI, with unknown access.
/// </summary>
public static class TsAssetParser
{
    private sealed record Helper(AssetKind Kind, AssetAccess? Access, int Position);

    private static readonly Dictionary<string, Helper> Helpers = new()
    {
        ["loadS3File"] = new(AssetKind.S3Object, AssetAccess.R, 0),
        ["loadS3FileStream"] = new(AssetKind.S3Object, AssetAccess.R, 0),
        ["writeS3File"] = new(AssetKind.S3Object, AssetAccess.W, 0),
        ["getResource"] = new(AssetKind.Resource, null, 0),
        ["setResource"] = new(AssetKind.Resource, AssetAccess.W, 1), // setResource(value, path)
        ["databaseUrlFromResource"] = new(AssetKind.Resource, null, 0),
        ["denoS3LightClientSettings"] = new(AssetKind.Resource, null, 0),
        ["duckdbConnectionSettings"] = new(AssetKind.Resource, null, 0),
        ["polarsConnectionSettings"] = new(AssetKind.Resource, null, 0),
    };

    public static List<DetectedAsset> Parse(string code) => Parse(JsTokenizer.Tokenize(code));

    /// <summary>The same, from tokens already made (the detector also checks their brackets).</summary>
    public static List<DetectedAsset> Parse(List<CodeToken> t)
    {
        var assets = new AssetSet();
        var consumed = new HashSet<int>();
        var handles = new Dictionary<string, (AssetKind Kind, string Name, bool Queried)>();
        void EndHandle(string variable)
        {
            if (handles.Remove(variable, out var h) && !h.Queried) assets.Add(h.Kind, h.Name, null);
        }

        for (var i = 0; i < t.Count; i++)
        {
            if (t[i].Kind != CodeTokenKind.Name) continue;
            var name = t[i].Value;
            if (i + 1 < t.Count && t[i + 1].Is("(") && Helpers.TryGetValue(name, out var helper))
            {
                var args = CallArguments.Read(t, i + 1);
                var range = args.Get(helper.Position, null);
                if (CallArguments.ConstantString(t, range) is { } value && range!.Value.End - range.Value.Start == 1)
                {
                    assets.Add(helper.Kind, AssetUri.PathOf(value), helper.Access);
                    consumed.Add(range.Value.Start);
                }
            }
            else if (name is "datatable" or "ducklake" && i + 1 < t.Count && t[i + 1].Is("(") && AssignedTo(t, i) is { } variable)
            {
                var args = CallArguments.Read(t, i + 1);
                var range = args.Get(0, null);
                var db = CallArguments.ConstantString(t, range) ?? (range is null ? "main" : null);
                EndHandle(variable);
                if (db is null) continue;
                if (range is { } r) consumed.Add(r.Start);
                handles[variable] = (name == "datatable" ? AssetKind.Datatable : AssetKind.Ducklake, db.Split(':')[0], false);
            }
            else if (handles.TryGetValue(name, out var handle) && i + 1 < t.Count && t[i + 1].Kind == CodeTokenKind.String && !(i > 0 && t[i - 1].Is(".")))
            {
                // sql`SELECT …` : a tagged template on a handle.
                handles[name] = handle with { Queried = true };
                foreach (var a in PythonAssetParser.DatabaseQuery(t[i + 1].Value, handle.Kind, handle.Name)) assets.Add(a);
                consumed.Add(i + 1);
            }
            else if (handles.ContainsKey(name) && i + 1 < t.Count && t[i + 1].Is("=") && !OpensHandle(t, i + 2))
                EndHandle(name); // the variable now holds something else
        }
        foreach (var variable in handles.Keys.ToList()) EndHandle(variable);

        for (var i = 0; i < t.Count; i++)
            if (t[i].IsConstantString && !consumed.Contains(i) && AssetUri.TryParse(t[i].Value, out var kind, out var path))
                assets.Add(kind, path, null);
        return assets.ToList();
    }

    /// <summary>Whether <c>[await] [wmill.]datatable(</c> or <c>ducklake(</c> starts at <paramref name="i"/>.</summary>
    private static bool OpensHandle(List<CodeToken> t, int i)
    {
        if (i < t.Count && t[i].IsName("await")) i++;
        if (i + 1 < t.Count && t[i].Kind == CodeTokenKind.Name && t[i + 1].Is(".")) i += 2;
        return i + 1 < t.Count && (t[i].IsName("datatable") || t[i].IsName("ducklake")) && t[i + 1].Is("(");
    }

    /// <summary>The variable a call at <paramref name="call"/> (<c>datatable(</c> or <c>wmill.datatable(</c>) is assigned to, if any.</summary>
    private static string? AssignedTo(List<CodeToken> t, int call)
    {
        var i = call - 1;
        if (i >= 1 && t[i].Is(".") && t[i - 1].Kind == CodeTokenKind.Name) i -= 2;
        if (i >= 0 && t[i].IsName("await")) i--;
        return i >= 1 && t[i].Is("=") && t[i - 1].Kind == CodeTokenKind.Name ? t[i - 1].Value : null;
    }
}
