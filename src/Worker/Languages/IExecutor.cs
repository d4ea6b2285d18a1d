using System.Text.Json.Nodes;
using Windmill.Jobs.Store.Jobs;
using Windmill.Jobs.Worker.Execution;

namespace Windmill.Jobs.Worker.Languages;

/// <summary>Everything an executor needs to run one job.</summary>
/// <param name="Env">The child environment: cleared, plus <c>WM_*</c> and the basics.</param>
/// <param name="Args">Arguments with <c>$var:</c>/<c>$res:</c> already resolved.</param>
public sealed record JobRun(ClaimedJob Job, string Code, string Dir, IReadOnlyDictionary<string, string> Env, JsonObject Args, JobLog Log);

/// <summary>Runs a job's code in one language and returns its result (JSON), or throws <see cref="JobFailure"/>.</summary>
public interface IExecutor
{
    string Language { get; }
    Task<JsonNode?> RunAsync(JobRun run, CancellationToken ct);
}
