using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Assets;
using Windmill.Jobs.Core.Scripts;
using Windmill.Jobs.Core.Sql;
using Windmill.Jobs.Core.Storage;
using Windmill.Jobs.Core.Telemetry;
using Windmill.Jobs.DuckDb;
using Windmill.Jobs.Runtime;
using Windmill.Jobs.Worker.Execution;
using Windmill.Jobs.Worker.Extensions;
using Windmill.Jobs.Worker.Languages.DuckDb;

namespace Windmill.Jobs.Worker.Languages;

/// <summary>
/// DuckDB SQL, in-process: arguments declared as <c>-- $name (type) = default</c> are bound by name to
/// the <c>$name</c> parameters of each statement; the rows of the last statement are the result. The
/// job's folder is the working directory for local files. <c>s3object</c> arguments and <c>s3://</c>
/// literals are staged through the job's folder (<see cref="S3Staging"/>): inputs before, outputs after
/// the script succeeded, nothing uploaded when it fails.
/// </summary>
public sealed class DuckDbExecutor(IHttpClientFactory http, WorkerSettings settings, S3ObjectCache cache, AssetEvents assets) : IExecutor
{
    public string Language => ScriptLanguage.DuckDb;

    public async Task<JsonNode?> RunAsync(JobRun run, CancellationToken ct)
    {
        var signature = SqlSignatureParser.ParseDuckDb(run.Code);
        ResultCollection collection;
        try { collection = ResultCollection.Of(run.Code); }
        catch (Windmill.Jobs.Core.Errors.WindmillError e) { throw new JobFailure(e.Message, "ArgumentError"); }
        var byName = signature.Parameters.ToDictionary(p => p.Name);
        JsonNode? Argument(string name)
        {
            if (!byName.TryGetValue(name, out var p))
                throw new JobFailure($"${name} is used but not declared: add a comment `-- ${name} (type)` at the top", "ArgumentError");
            return run.Args[name]?.DeepClone() ?? (p.HasDefault ? p.Default?.DeepClone() : null);
        }

        var objects = signature.Parameters.Where(p => p.Schema["format"]?.GetValue<string>() == "resource-s3_object")
            .ToDictionary(p => p.Name, p => ObjectArgument(p.Name, Argument(p.Name)));
        var code = DuckDbS3References.SubstituteS3Objects(run.Code, objects);
        var references = DuckDbS3References.Find(code);
        using var transfers = new ObjectTransfers(http.CreateClient("api"), run.Env["BASE_INTERNAL_URL"], run.Env["WM_TOKEN"], run.Job.WorkspaceId, settings, cache);
        S3Staging? staging = null;
        if (references.Count > 0)
        {
            staging = new S3Staging(transfers, run.Dir,
                (uri, access) => assets.Record(run.Job.WorkspaceId, AssetKind.S3Object, AssetUri.S3Path(uri.Storage, uri.Key), access, run.Job.Id));
            Dictionary<S3Reference, string> local;
            using (Instrumentation.Source.StartActivity("s3 staging in"))
                local = await staging.StageAllAsync(references, ct);
            code = DuckDbS3References.Rewrite(code, references, r => local[r]);
        }

        var extensions = Path.Combine(run.Dir, ".duckdb_extensions");
        Directory.CreateDirectory(extensions);
        var result = await Task.Run(() =>
        {
            using var session = DuckDbSession.Open(extensions, settings.DuckDbMemoryLimit, Path.Combine(run.Dir, ".duckdb_spill"));
            using var interrupt = ct.Register(session.Interrupt);
            try
            {
                session.RunAll(RelativeToJobDir(run.Dir), _ => null);
                var statements = session.RunAll(code, Argument);
                ct.ThrowIfCancellationRequested();
                return collection.Collect(statements);
            }
            catch (DuckDbError e)
            {
                ct.ThrowIfCancellationRequested();
                throw new JobFailure(e.Message, "DuckDbError");
            }
        }, CancellationToken.None);
        if (staging is not null)
            using (Instrumentation.Source.StartActivity("s3 staging out"))
                await staging.UploadWritesAsync(ct);
        return result;
    }

    private static S3Uri ObjectArgument(string name, JsonNode? value)
    {
        try { return S3Uri.FromArgument(value, name); }
        catch (Windmill.Jobs.Core.Errors.WindmillError e) { throw new JobFailure(e.Message, "ArgumentError"); }
    }

    /// <summary>
    /// DuckDB resolves relative file names against the process's directory, which jobs must not share;
    /// <c>file_search_path</c> points it at the job's own folder instead.
    /// </summary>
    private static string RelativeToJobDir(string dir) => $"SET file_search_path = '{dir.Replace("'", "''")}';";
}
