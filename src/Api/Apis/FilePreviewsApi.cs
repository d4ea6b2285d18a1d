using System.Text;
using System.Text.Json.Nodes;
using Amazon.S3.Model;
using Windmill.Jobs.DuckDb;

namespace Windmill.Jobs.Api.Apis;

/// <summary>
/// Previews of stored files (spec 10.4): a byte range of text, and pages of parquet and CSV tables read
/// with DuckDB (sorting and a search on one column), as columns of values; a parquet file as CSV. The object is staged in a
/// temporary file for DuckDB (parquet keeps its index at the end) and removed afterwards.
/// </summary>
public static class FilePreviewsApi
{
    private const long MaxPreviewBytes = 1L << 30;
    private const int MaxReadBytes = 8 * 1024 * 1024;

    public static RouteGroupBuilder MapFilePreviewsApi(this RouteGroupBuilder w)
    {
        var g = w.MapGroup("/job_helpers");
        g.MapGet("/load_file_preview", FilePreview);
        g.MapGet("/load_parquet_preview/{*path}", (Authed who, WindmillDb db, WorkspaceStorage storages, string path, int? offset, int? limit,
            string? sort_col, bool? sort_desc, string? search_col, string? search_term, string? storage, CancellationToken ct) =>
            TableAsync(who, db, storages, path, storage, "read_parquet", null, offset, limit, sort_col, sort_desc, search_col, search_term, ct));
        g.MapGet("/load_csv_preview/{*path}", (Authed who, WindmillDb db, WorkspaceStorage storages, string path, int? offset, int? limit,
            string? sort_col, bool? sort_desc, string? search_col, string? search_term, string? csv_separator, string? storage, CancellationToken ct) =>
            TableAsync(who, db, storages, path, storage, "read_csv", csv_separator ?? ",", offset, limit, sort_col, sort_desc, search_col, search_term, ct));
        g.MapGet("/load_table_count/{*path}", async (Authed who, WindmillDb db, WorkspaceStorage storages, string path, string? storage,
            CancellationToken ct) =>
        {
            using var staged = await StageAsync(who, db, storages, path, storage, ct);
            var separator = path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? "\t" : ",";
            var rows = Query(staged.Dir, $"SELECT count(*) AS count FROM {Source(ReaderOf(path), staged.File, separator)}", _ => null);
            return Results.Json(new { count = rows[0]!["count"]!.GetValue<long>() });
        });
        g.MapGet("/download_s3_parquet_file_as_csv", async (Authed who, WindmillDb db, WorkspaceStorage storages, HttpContext http,
            string? file_key, string? storage, CancellationToken ct) =>
        {
            if (string.IsNullOrEmpty(file_key)) throw WindmillError.BadRequest("file_key is required");
            var staged = await StageAsync(who, db, storages, file_key, storage, ct);
            http.Response.RegisterForDispose(staged); // the folder goes once the CSV is sent
            var csv = Path.Combine(staged.Dir, "data.csv");
            Query(staged.Dir, $"COPY (SELECT * FROM {Source("read_parquet", staged.File, null)}) TO {Literal(csv)} (FORMAT csv, HEADER)", _ => null);
            return Results.File(csv, "text/csv", Path.ChangeExtension(Path.GetFileName(file_key), ".csv"));
        });
        return w;
    }

    private sealed class StagedFile(string dir, string file) : IDisposable
    {
        public string Dir { get; } = dir;
        public string File { get; } = file;
        public void Dispose() { try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } }
    }

    private static async Task<StagedFile> StageAsync(Authed who, WindmillDb db, WorkspaceStorage storages, string key, string? storage,
        CancellationToken ct)
    {
        using var s = await storages.OpenAsync(who, db, storage, ct);
        using (var obj = await s.CallAsync(key, () => s.Client.GetObjectAsync(s.Bucket, key, ct)))
        {
            if (obj.ContentLength > MaxPreviewBytes)
                throw WindmillError.BadRequest($"file {key} is {obj.ContentLength} bytes: previews read files up to {MaxPreviewBytes} bytes");
            var dir = Directory.CreateTempSubdirectory("wmj-preview-").FullName;
            var file = Path.Combine(dir, "data" + Path.GetExtension(key));
            await using (var local = File.Create(file)) await obj.ResponseStream.CopyToAsync(local, ct);
            return new StagedFile(dir, file);
        }
    }

    private static string Literal(string text) => "'" + text.Replace("'", "''") + "'";

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    /// <summary>DuckDB's reader for a staged file: CSV with the given separator, or parquet.</summary>
    private static string Source(string reader, string file, string? separator) =>
        reader == "read_csv"
            ? $"read_csv({Literal(file)}, delim = {Literal(separator ?? ",")}, header = true)"
            : $"read_parquet({Literal(file)})";

    private static string ReaderOf(string key) =>
        key.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || key.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? "read_csv" : "read_parquet";

    private static JsonArray Query(string dir, string sql, Func<string, JsonNode?> argument)
    {
        var extensions = Path.Combine(dir, ".ext");
        Directory.CreateDirectory(extensions);
        using var session = DuckDbSession.Open(extensions);
        try { return session.Run(sql, argument); }
        catch (DuckDbError e) { throw WindmillError.BadRequest($"cannot read the file as a table: {e.Message}"); }
    }

    private static async Task<IResult> TableAsync(Authed who, WindmillDb db, WorkspaceStorage storages, string key, string? storage,
        string reader, string? separator, int? offset, int? limit, string? sortCol, bool? sortDesc, string? searchCol, string? searchTerm,
        CancellationToken ct)
    {
        using var staged = await StageAsync(who, db, storages, key, storage, ct);
        var source = Source(reader, staged.File, separator);
        var columns = Query(staged.Dir, $"DESCRIBE SELECT * FROM {source}", _ => null);
        var names = columns.Select(c => c!["column_name"]!.GetValue<string>()).ToList();
        string Column(string name, string param) =>
            names.Contains(name) ? Identifier(name) : throw WindmillError.BadRequest($"{param}: no column '{name}' in {key}");
        var sql = new StringBuilder($"SELECT * FROM {source}");
        if (!string.IsNullOrEmpty(searchCol) && !string.IsNullOrEmpty(searchTerm))
            sql.Append($" WHERE CAST({Column(searchCol, "search_col")} AS VARCHAR) ILIKE '%' || $term || '%'");
        if (!string.IsNullOrEmpty(sortCol)) sql.Append($" ORDER BY {Column(sortCol, "sort_col")}{(sortDesc == true ? " DESC" : "")}");
        sql.Append($" LIMIT {Math.Clamp(limit ?? 100, 1, 10_000)} OFFSET {Math.Max(offset ?? 0, 0)}");
        var rows = Query(staged.Dir, sql.ToString(), name => name == "term" ? JsonValue.Create(searchTerm) : null);
        return Results.Json(new JsonObject
        {
            ["columns"] = new JsonArray(columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c!["column_name"]!.GetValue<string>(),
                ["datatype"] = c["column_type"]!.GetValue<string>(),
                ["values"] = new JsonArray(rows.Select(r => r![c["column_name"]!.GetValue<string>()]?.DeepClone()).ToArray()),
            }).ToArray()),
        });
    }

    /// <summary>A preview picked by type: text and CSV as text, parquet as its first rows; a preview that fails still answers 200 with msg.</summary>
    private static async Task<IResult> FilePreview(Authed who, WindmillDb db, WorkspaceStorage storages, string? file_key, string? file_mime_type,
        long? read_bytes_from, int? read_bytes_length, string? storage, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(file_key)) throw WindmillError.BadRequest("file_key is required");
        var kind = KindOf(file_key, file_mime_type);
        try
        {
            if (kind == "Parquet")
            {
                using var staged = await StageAsync(who, db, storages, file_key, storage, ct);
                var rows = Query(staged.Dir, $"SELECT * FROM {Source("read_parquet", staged.File, null)} LIMIT 10", _ => null);
                return Results.Json(new { content = rows.ToJsonString(), content_type = kind });
            }
            if (kind == "Unknown") return Results.Json(new { content_type = kind, msg = "no preview for this kind of file" });
            using var s = await storages.OpenAsync(who, db, storage, ct);
            var from = Math.Max(read_bytes_from ?? 0, 0);
            var length = Math.Clamp(read_bytes_length ?? 128 * 1024, 1, MaxReadBytes);
            using var obj = await s.Client.GetObjectAsync(new GetObjectRequest
            {
                BucketName = s.Bucket, Key = file_key, ByteRange = new ByteRange(from, from + length - 1),
            }, ct);
            using var text = new StreamReader(obj.ResponseStream, Encoding.UTF8);
            return Results.Json(new { content = await text.ReadToEndAsync(ct), content_type = kind });
        }
        catch (Exception e) when (e is Amazon.S3.AmazonS3Exception or WindmillError { StatusCode: 400 })
        {
            return Results.Json(new { content_type = kind, msg = $"preview failed: {e.Message}" });
        }
    }

    private static string KindOf(string key, string? mime)
    {
        var ext = Path.GetExtension(key).ToLowerInvariant();
        if (ext == ".parquet") return "Parquet";
        if (mime == "text/csv" || ext == ".csv") return "Csv";
        if (mime is not null && (mime.StartsWith("text/") || mime.Contains("json") || mime.Contains("yaml"))) return "RawText";
        return ext is ".txt" or ".json" or ".yaml" or ".yml" or ".md" or ".log" or ".tsv" or ".sql" ? "RawText" : "Unknown";
    }
}
