namespace Windmill.Jobs.Contracts;

/// <summary>
/// "Job <see cref="JobId"/> is ready to run." The only thing the bus carries for the queue: the job
/// itself lives in PostgreSQL, so a duplicate or stale message claims nothing.
/// </summary>
public sealed record RunJob(Guid JobId, string Tag);
