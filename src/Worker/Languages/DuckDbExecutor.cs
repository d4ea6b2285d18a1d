using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Scripts;
using Windmill.Jobs.Worker.Execution;
using Windmill.Jobs.Worker.Languages.DuckDb;

namespace Windmill.Jobs.Worker.Languages;

/// <summary>
/// DuckDB SQL, in-process: arguments declared as <c>-- $name (type) = default</c> are bound by name to
/// the <c>$name</c> parameters of each statement; the rows of the last statement are the result. The
/// job's folder is the working directory for local files. (S3 access comes with workspace storage.)
/// </summary>
public sealed class DuckDbExecutor : IExecutor
{
    public string Language => ScriptLanguage.DuckDb;

    public async Task<JsonNode?> RunAsync(JobRun run, CancellationToken ct)
    {
        var signature = SqlSignatureParser.ParseDuckDb(run.Code);
        var byName = signature.Parameters.ToDictionary(p => p.Name);
        JsonNode? Argument(string name)
        {
            if (!byName.TryGetValue(name, out var p))
                throw new JobFailure($"${name} is used but not declared: add a comment `-- ${name} (type)` at the top", "ArgumentError");
            return run.Args[name]?.DeepClone() ?? (p.HasDefault ? p.Default?.DeepClone() : null);
        }

        var extensions = Path.Combine(run.Dir, ".duckdb_extensions");
        Directory.CreateDirectory(extensions);
        return await Task.Run(() =>
        {
            using var session = DuckDbSession.Open(extensions);
            using var interrupt = ct.Register(session.Interrupt);
            try
            {
                var sql = RelativeToJobDir(run.Code, run.Dir);
                var rows = session.Run(sql, Argument);
                ct.ThrowIfCancellationRequested();
                return (JsonNode?)rows;
            }
            catch (DuckDbError e)
            {
                ct.ThrowIfCancellationRequested();
                throw new JobFailure(e.Message, "DuckDbError");
            }
        }, CancellationToken.None);
    }

    /// <summary>
    /// DuckDB resolves relative file names against the process's directory, which jobs must not share;
    /// <c>file_search_path</c> points it at the job's own folder instead.
    /// </summary>
    private static string RelativeToJobDir(string code, string dir) => $"SET file_search_path = '{dir.Replace("'", "''")}';\n{code}";
}
