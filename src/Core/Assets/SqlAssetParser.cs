using Windmill.Jobs.Core.Sql;

namespace Windmill.Jobs.Core.Assets;

/// <summary>
/// Assets of DuckDB and PostgreSQL scripts (spec 9.4), from <see cref="SqlTokenizer"/>'s tokens so that
/// comments and quoting never confuse it:
/// <list type="bullet">
/// <item><c>s3://</c> string literals, read inside a query (<c>SELECT</c>, <c>WITH</c>, <c>VALUES</c>, FROM-first,
/// subqueries) or <c>read_parquet|read_csv|read_json(…)</c>, written as the file of <c>COPY … TO|FROM</c>, unknown
/// elsewhere (a <c>SET</c>);</item>
/// <item><c>ATTACH '&lt;uri&gt;' AS a</c> (ducklake, datatable, resource) then <c>a.table</c> in a table position
/// (<c>FROM</c>, <c>JOIN</c>, the target of <c>INSERT</c>/<c>UPDATE</c>/<c>DELETE</c>/<c>CREATE TABLE|VIEW</c>), or a
/// bare <c>table</c> after <c>USE a</c>; an attached database never used is one asset of unknown access.</item>
/// </list>
/// Targets are written (read-write with <c>RETURNING</c>); sources are read. Merged by spec 9.3.
/// </summary>
public sealed class SqlAssetParser
{
    private readonly AssetSet _assets = new();
    private readonly Dictionary<string, (AssetKind Kind, string Path)> _attached = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(AssetKind Kind, string Path)> _everAttached = [];
    private (AssetKind Kind, string Path)? _current;

    /// <param name="database">The database unqualified table names belong to (a python or TypeScript datatable handle's queries).</param>
    public static List<DetectedAsset> Parse(string sql, (AssetKind Kind, string Path)? database = null) =>
        Parse(SqlTokenizer.Tokenize(sql), database);

    /// <summary>The same, from tokens already made (the detector also checks their brackets).</summary>
    public static List<DetectedAsset> Parse(List<SqlToken> allTokens, (AssetKind Kind, string Path)? database = null)
    {
        var parser = new SqlAssetParser { _current = database };
        var tokens = allTokens.Where(t => !t.IsTrivia).ToList();
        var start = 0;
        for (var i = 0; i <= tokens.Count; i++)
            if (i == tokens.Count || tokens[i].IsSymbol(';'))
            {
                if (i > start) parser.Statement(tokens.GetRange(start, i - start));
                start = i + 1;
            }
        foreach (var unused in parser._everAttached.Where(a => !parser._used.Contains(Key(a))))
            parser._assets.Add(unused.Kind, unused.Path, null);
        return parser._assets.ToList();
    }

    private static string Key((AssetKind Kind, string Path) db) => db.Kind.Name() + ":" + db.Path;

    private static readonly HashSet<string> TableFunctions = new(StringComparer.OrdinalIgnoreCase) { "read_parquet", "read_csv", "read_json" };

    private static readonly HashSet<string> ClauseWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "where", "group", "order", "limit", "offset", "having", "join", "left", "right", "inner", "outer", "full", "cross", "natural",
        "on", "using", "union", "except", "intersect", "window", "qualify", "returning", "set", "values", "select", "as", "from",
        "positional", "asof", "anti", "semi", "lateral", "pivot", "unpivot", "sample", "tablesample", "default", "by", "to", "with",
    };

    private void Statement(List<SqlToken> t)
    {
        var returning = t.Any(x => x.IsWord("returning"));
        var write = returning ? AssetAccess.RW : AssetAccess.W;
        var ctes = CteNames(t);
        var frames = new Stack<(AssetAccess Access, int Depth)>();
        var depth = 0;
        var copyTarget = false; // the next literal is COPY's file
        var first = t[0];

        // The statement's head: what it writes, what it attaches.
        var i = 0;
        if (first.IsWord("attach")) { Attach(t); return; }
        if (first.IsWord("detach")) { Detach(t); return; }
        if (first.IsWord("use"))
        {
            if (t.Count > 1 && _attached.TryGetValue(t[1].Value, out var db)) { _current = db; _used.Add(Key(db)); }
            return;
        }
        if (first.IsWord("insert"))
        {
            i = IndexAfter(t, 1, "into");
            if (i > 0) i = TableRef(t, i, write, ctes);
        }
        else if (first.IsWord("update")) i = TableRef(t, 1, write, ctes);
        else if (first.IsWord("delete"))
        {
            i = IndexAfter(t, 1, "from");
            if (i > 0) i = TableRef(t, i, write, ctes);
        }
        else if (first.IsWord("create"))
        {
            var kind = t.FindIndex(x => x.IsWord("table") || x.IsWord("view"));
            if (kind > 0 && t.Take(kind).All(x => x.Kind == SqlTokenKind.Word))
            {
                i = kind + 1;
                if (i + 2 < t.Count && t[i].IsWord("if") && t[i + 1].IsWord("not") && t[i + 2].IsWord("exists")) i += 3;
                i = TableRef(t, i, write, ctes);
            }
        }
        else if (first.IsWord("from")) frames.Push((AssetAccess.R, 0)); // DuckDB's FROM-first query
        if (i < 0) i = 0;

        for (; i < t.Count; i++)
        {
            var x = t[i];
            AssetAccess? access = frames.Count > 0 ? frames.Peek().Access : null;
            if (x.IsSymbol('(')) { depth++; continue; }
            if (x.IsSymbol(')'))
            {
                depth--;
                while (frames.Count > 0 && frames.Peek().Depth > depth) frames.Pop();
                continue;
            }
            if (x.IsWord("select") || x.IsWord("with") || x.IsWord("values"))
            {
                frames.Push((AssetAccess.R, depth));
                continue;
            }
            if (first.IsWord("copy") && depth == 0 && (x.IsWord("to") || x.IsWord("from")))
            {
                copyTarget = true;
                continue;
            }
            if (x.Kind == SqlTokenKind.Word && TableFunctions.Contains(x.Text) && i + 1 < t.Count && t[i + 1].IsSymbol('('))
            {
                frames.Push((AssetAccess.R, depth + 1));
                continue;
            }
            if ((x.IsWord("from") || x.IsWord("join")) && i + 1 < t.Count)
            {
                i = TableRef(t, i + 1, access ?? AssetAccess.R, ctes) - 1;
                continue;
            }
            if (x.Kind is SqlTokenKind.String or SqlTokenKind.QuotedIdentifier && x.Value.StartsWith("s3://", StringComparison.Ordinal)
                && AssetUri.TryParse(x.Value, out var kind, out var path))
            {
                _assets.Add(kind, path, copyTarget ? AssetAccess.W : access);
                copyTarget = false;
            }
        }
    }

    /// <summary>
    /// A table position at <paramref name="i"/>: <c>a.table</c> of an attached database, or a bare name under
    /// <c>USE</c>; then, in a FROM list, the next tables after commas. Returns where the caller goes on.
    /// </summary>
    private int TableRef(List<SqlToken> t, int i, AssetAccess access, HashSet<string> ctes)
    {
        while (i < t.Count)
        {
            if (t[i].IsSymbol('(') || t[i].Kind == SqlTokenKind.String || t[i].Value.StartsWith("s3://", StringComparison.Ordinal))
                return i; // a subquery, a file
            if (i + 1 < t.Count && t[i + 1].IsSymbol('(')) return i; // a table function
            var parts = new List<string>();
            while (i < t.Count && t[i].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier && !(t[i].Kind == SqlTokenKind.Word && ClauseWords.Contains(t[i].Text) && parts.Count == 0))
            {
                parts.Add(t[i].Value);
                if (i + 2 < t.Count && t[i + 1].IsSymbol('.')) i += 2;
                else { i++; break; }
            }
            if (parts.Count == 0) return i;
            Table(parts, access, ctes);
            // An alias, then maybe another table of a FROM list.
            if (i < t.Count && t[i].IsWord("as")) i++;
            if (i < t.Count && t[i].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier && !(t[i].Kind == SqlTokenKind.Word && ClauseWords.Contains(t[i].Text))) i++;
            if (i < t.Count && t[i].IsSymbol(',') && access != AssetAccess.W && access != AssetAccess.RW) { i++; continue; }
            return i;
        }
        return i;
    }

    private void Table(List<string> parts, AssetAccess access, HashSet<string> ctes)
    {
        if (parts.Count >= 2 && _attached.TryGetValue(parts[0], out var db))
        {
            _used.Add(Key(db));
            _assets.Add(db.Kind, db.Path + "/" + string.Join('.', parts.Skip(1)), access);
        }
        else if (parts.Count == 1 && _current is { } current && !ctes.Contains(parts[0]))
        {
            _used.Add(Key(current));
            _assets.Add(current.Kind, current.Path + "/" + parts[0], access);
        }
    }

    /// <summary><c>ATTACH [DATABASE] [IF NOT EXISTS] '&lt;uri&gt;' [AS alias]</c>: an alias for a ducklake, datatable or resource.</summary>
    private void Attach(List<SqlToken> t)
    {
        var target = t.FindIndex(x => x.Kind is SqlTokenKind.String or SqlTokenKind.Word && !x.IsWord("attach") && !x.IsWord("database")
                                      && !x.IsWord("if") && !x.IsWord("not") && !x.IsWord("exists"));
        if (target < 0) return;
        var uri = t[target].Value;
        var alias = target + 2 < t.Count && t[target + 1].IsWord("as") ? t[target + 2].Value : null;
        if (!AssetUri.TryParse(uri, out var kind, out var path, defaultSyntax: true) || kind == AssetKind.S3Object)
        {
            if (uri.StartsWith("s3://", StringComparison.Ordinal) && AssetUri.TryParse(uri, out kind, out path)) _assets.Add(kind, path, null);
            return;
        }
        if (alias is null) { _assets.Add(kind, path, null); return; }
        _attached[alias] = (kind, path);
        _everAttached.Add((kind, path));
    }

    private void Detach(List<SqlToken> t)
    {
        var name = t.Skip(1).FirstOrDefault(x => x.Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier
                                                 && !x.IsWord("database") && !x.IsWord("if") && !x.IsWord("exists"));
        if (name.Text is not null) _attached.Remove(name.Value);
    }

    private static int IndexAfter(List<SqlToken> t, int from, string word)
    {
        var i = t.FindIndex(from, x => x.IsWord(word));
        return i < 0 ? -1 : i + 1;
    }

    /// <summary>Names a WITH clause defines (<c>name AS (</c> or <c>name(cols) AS (</c> after WITH, RECURSIVE or a comma), which are not tables.</summary>
    private static HashSet<string> CteNames(List<SqlToken> t)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (!t.Any(x => x.IsWord("with"))) return names;
        for (var i = 1; i + 1 < t.Count; i++)
        {
            if (t[i].Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)) continue;
            if (!(t[i - 1].IsWord("with") || t[i - 1].IsWord("recursive") || t[i - 1].IsSymbol(','))) continue;
            var j = i + 1;
            if (t[j].IsSymbol('(')) { while (j < t.Count && !t[j].IsSymbol(')')) j++; j++; }
            if (j + 1 < t.Count && t[j].IsWord("as")) names.Add(t[i].Value);
        }
        return names;
    }
}
