using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Assets;
using Windmill.Jobs.Core.Jobs;
using Windmill.Jobs.Core.Telemetry;
using Windmill.Jobs.Runtime;
using Windmill.Jobs.Store.Jobs;
using Windmill.Jobs.Worker.Extensions;
using Windmill.Jobs.Worker.Flows;
using Windmill.Jobs.Worker.Languages;
using Windmill.Jobs.Worker.Schedules;

namespace Windmill.Jobs.Worker.Execution;

/// <summary>
/// Runs claimed jobs (spec 6.5): a folder of its own, a token for its identity, the cleared environment
/// with the <c>WM_*</c> variables, resolved arguments, the language's executor; a heartbeat that also
/// notices cancel requests; the timeout; streamed logs; and one completion. On shutdown, jobs still
/// running are handed back to the queue rather than lost.
/// </summary>
public sealed class JobRunner(
    JobClaims claims, JobTokenIssuer tokens, ArgumentResolver resolver, IEnumerable<IExecutor> executors, WorkerSettings settings,
    JobDispatcher dispatcher, FlowAdvancer flows, ScheduleHandlers scheduleHandlers, JobSlots slots, AssetEvents assets, ILogger<JobRunner> log)
    : IHostedService
{
    private readonly HashSet<string> _tags = settings.Tags.ToHashSet();
    private readonly Dictionary<string, IExecutor> _executors = executors.ToDictionary(e => e.Language);
    private readonly ConcurrentDictionary<Guid, Task> _running = new();
    private readonly CancellationTokenSource _shutdown = new();

    /// <summary>Starts the job in the background; <paramref name="done"/> runs when it is over.</summary>
    public void Start(ClaimedJob job, Action done)
    {
        var task = Task.Run(async () =>
        {
            try { await RunAsync(job); }
            catch (Exception e) { log.LogError(e, "job {JobId} could not be finished by this worker", job.Id); }
            finally
            {
                _running.TryRemove(job.Id, out _);
                done();
            }
        });
        _running[job.Id] = task;
    }

    /// <summary>
    /// One span per run, child of the span that enqueued the job (stored with it), so a job is one trace from
    /// the HTTP request through RabbitMQ to this worker and the job's own calls back; log lines carry its id.
    /// </summary>
    private async Task RunAsync(ClaimedJob job)
    {
        using var span = Instrumentation.StartFrom((JobKind.IsFlow(job.Kind) ? "flow " : "job ") + (job.RunnablePath ?? job.Kind), job.TraceParent,
            ActivityKind.Consumer);
        span?.SetTag("wmj.job_id", job.Id.ToString()).SetTag("wmj.workspace", job.WorkspaceId).SetTag("wmj.tag", job.Tag).SetTag("wmj.kind", job.Kind);
        // A message-template scope: the console shows "job <id> in <workspace>", structured sinks get both fields.
        using var scope = log.BeginScope("job {JobId} in {Workspace}", job.Id, job.WorkspaceId);
        // The claim, from when it was taken until now.
        Instrumentation.Source.StartActivity("claim", ActivityKind.Internal, span?.Context ?? default, startTime: job.StartedAt)?.Dispose();
        await RunJobAsync(job);
    }

    private async Task RunJobAsync(ClaimedJob job)
    {
        // The assets it is given (a flow records them each time it advances; the store keeps one row per job).
        var givenArgs = JsonNode.Parse(job.ArgsJson) as JsonObject ?? [];
        foreach (var a in ArgumentAssets.Of(givenArgs))
            assets.Record(job.WorkspaceId, a.Kind, a.Path, a.Access, job.Id);
        if (JobKind.IsFlow(job.Kind))
        {
            var next = await flows.AdvanceAsync(job, _shutdown.Token);
            await HandOnAsync(next);
            return;
        }
        if (job.Kind is JobKind.Noop or JobKind.Identity)
        {
            // No code runs: no folder, token, heartbeat or log stream, just the completion.
            var result = job.Kind == JobKind.Identity ? job.ArgsJson : "null";
            JobMetrics.JobStarted(job.Tag);
            JobMetrics.JobFinished(job.Tag, JobStatus.Success, TimeSpan.Zero);
            await CompleteWithRetriesAsync(job, new JobOutcome(JobStatus.Success, result), $"job {job.Id} on worker {settings.Name}\n");
            return;
        }
        var timeout = job.Timeout ?? settings.DefaultTimeout;
        var dir = Path.Combine(settings.JobDir, job.Id.ToString());
        Directory.CreateDirectory(dir);
        var identity = job.Identity with { ExpiresAtUnix = DateTimeOffset.UtcNow.AddSeconds(timeout).AddMinutes(5).ToUnixTimeSeconds() };
        var token = await tokens.IssueAsync(identity, CancellationToken.None);
        var context = new JobContext(job.WorkspaceId, job.Id, job.CreatedBy, job.PermissionedAs, job.Email, job.RunnablePath,
            job.ParentJob, job.RootJob, null, job.FlowPath, job.FlowStepId, job.SchedulePath, job.ScheduledFor, job.CreatedAt);
        var env = BaseEnvironment(dir);
        foreach (var (k, v) in ReservedVariables.For(context, token, settings.BaseUrl, settings.Services.BaseInternalUrl)) env[k] = v;

        var stopReason = new StopReason();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        cancel.CancelAfter(TimeSpan.FromSeconds(timeout));
        using var stopHeartbeat = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(job, cancel, stopReason, stopHeartbeat.Token);

        JobOutcome? outcome; // null: not ours to complete
        var jobLog = new JobLog(claims, job.Id, job.WorkspaceId);
        jobLog.Start();
        JobMetrics.JobStarted(job.Tag);
        try
        {
            jobLog.Line($"job {job.Id} on worker {settings.Name}");
            JsonObject args;
            using (Instrumentation.Source.StartActivity("arguments"))
                args = await resolver.ResolveAsync(givenArgs, job.WorkspaceId, token, job.Id, cancel.Token);
            using var run = Instrumentation.Source.StartActivity("run");
            if (Instrumentation.CurrentTraceParent is { } traceParent) env["TRACEPARENT"] = traceParent; // the job's calls back join the trace
            var result = await ExecuteAsync(job, dir, env, args, jobLog, cancel.Token);
            outcome = new JobOutcome(JobStatus.Success, result?.ToJsonString() ?? "null");
        }
        catch (OperationCanceledException) when (stopReason.CanceledBy is { } by)
        {
            outcome = new JobOutcome(JobStatus.Canceled, JobErrors.Canceled(stopReason.Reason ?? "canceled", by), by, stopReason.Reason);
        }
        catch (OperationCanceledException) when (stopReason.ClaimLost || _shutdown.IsCancellationRequested)
        {
            outcome = null; // handed back (worker stopping) or restarted elsewhere (claim lost)
        }
        catch (OperationCanceledException)
        {
            var reason = $"duration > {timeout}";
            outcome = new JobOutcome(JobStatus.Canceled, JobErrors.Canceled(reason, "timeout"), "timeout", reason);
        }
        catch (JobFailure f)
        {
            outcome = new JobOutcome(JobStatus.Failure, f.ToResultJson());
        }
        catch (Exception e)
        {
            log.LogError(e, "job {JobId} failed inside the worker", job.Id);
            outcome = new JobOutcome(JobStatus.Failure, JobErrors.Json(e.Message, "ExecutionErr"));
        }
        finally
        {
            await stopHeartbeat.CancelAsync();
            await heartbeat;
            TryDelete(dir);
        }

        var lastLogs = await jobLog.StopAsync();
        if (outcome is null)
        {
            jobLog.Write(lastLogs);
            await jobLog.DisposeAsync();
            if (_shutdown.IsCancellationRequested && !stopReason.ClaimLost && await claims.ReleaseAsync(job.Id, job.ClaimId, CancellationToken.None))
            {
                log.LogInformation("job {JobId} handed back to the queue (worker stopping)", job.Id);
                // Straight back on the bus for another worker, rather than at the leader's next sweep.
                try { await dispatcher.DispatchAsync(new DispatchItem(job.Id, job.Tag, null), CancellationToken.None); }
                catch (Exception e) { log.LogWarning(e, "job {JobId}: the leader's sweep will dispatch it", job.Id); }
            }
            return;
        }
        JobMetrics.JobFinished(job.Tag, outcome.Status, DateTime.UtcNow - job.StartedAt);
        if (!(await CompleteWithRetriesAsync(job, outcome, lastLogs)).Done)
            log.LogWarning("job {JobId} finished here but its claim was lost (restarted elsewhere); result dropped", job.Id);
        else
            await scheduleHandlers.AfterCompletionAsync(job, outcome);
        await jobLog.DisposeAsync();
    }

    /// <summary>
    /// Completion must not be lost to a short store outage: the job would otherwise run again after the
    /// zombie timeout. Retrying is safe, since only the current claim can complete the job. A flow step's
    /// completion wakes its flow, dispatched from here (or by the leader's sweep if this publish is lost).
    /// </summary>
    private async Task<Completed> CompleteWithRetriesAsync(ClaimedJob job, JobOutcome outcome, string lastLogs)
    {
        using var span = Instrumentation.Source.StartActivity("completion");
        Completed completed;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                completed = await claims.CompleteAsync(job.Id, job.ClaimId, settings.Name, outcome, lastLogs, job.ParentJob is not null,
                    CancellationToken.None);
                break;
            }
            catch (Exception e) when (attempt < 8)
            {
                log.LogWarning(e, "completing job {JobId} failed (attempt {Attempt}); retrying", job.Id, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(250 * Math.Pow(2, attempt)));
            }
        }
        await HandOnAsync(completed.WokenParents);
        return completed;
    }

    /// <summary>
    /// Carries on the work a flow advance or a step completion created (new steps, woken flows): when this
    /// worker serves the job's tag and has a free slot it claims the job itself, saving a trip through
    /// RabbitMQ per step; otherwise the job is dispatched.
    /// </summary>
    private async Task HandOnAsync(IReadOnlyList<DispatchItem> next)
    {
        foreach (var item in next)
        {
            if (_shutdown.IsCancellationRequested || !_tags.Contains(item.Tag) || !slots.TryTake())
            {
                await dispatcher.DispatchAllAsync([item]);
                continue;
            }
            ClaimedJob? job;
            try { job = await claims.ClaimAsync(item.Id, settings.Name, CancellationToken.None); }
            catch (Exception e)
            {
                slots.Release();
                log.LogWarning(e, "could not claim job {JobId} here; dispatching it", item.Id);
                await dispatcher.DispatchAllAsync([item]);
                continue;
            }
            if (job is null) { slots.Release(); continue; } // someone else has it
            Start(job, slots.Release); // a flow is advanced there like any flow job, and hands on what it creates
        }
    }

    private async Task<JsonNode?> ExecuteAsync(ClaimedJob job, string dir, Dictionary<string, string> env, JsonObject args, JobLog jobLog, CancellationToken ct)
    {
        if (job.Language is null || !_executors.TryGetValue(job.Language, out var executor))
            throw new JobFailure($"this worker cannot run {job.Language ?? "(no language)"} jobs", "UnsupportedLanguage");
        return await executor.RunAsync(new JobRun(job, job.Code ?? "", dir, env, args, jobLog), ct);
    }

    /// <summary>Pings every <c>PING_INTERVAL</c>; stops the job on a cancel request or when the claim is lost.</summary>
    private async Task HeartbeatAsync(ClaimedJob job, CancellationTokenSource cancel, StopReason stop, CancellationToken until)
    {
        while (!until.IsCancellationRequested)
        {
            try { await Task.Delay(TimeSpan.FromSeconds(settings.PingInterval), until); }
            catch (OperationCanceledException) { return; }
            try
            {
                var (answer, by, reason) = await claims.PingAsync(job.Id, job.ClaimId, until);
                if (answer == PingAnswer.CancelRequested) { stop.CanceledBy = by; stop.Reason = reason; await cancel.CancelAsync(); }
                else if (answer == PingAnswer.ClaimLost) { stop.ClaimLost = true; await cancel.CancelAsync(); }
            }
            catch (OperationCanceledException) { return; }
            catch (Exception e) { log.LogWarning(e, "heartbeat of job {JobId} failed; will retry", job.Id); }
        }
    }

    /// <summary>The cleared environment every job starts from (spec 6.8): only the basics, then <c>WM_*</c>.</summary>
    private static Dictionary<string, string> BaseEnvironment(string dir) => new()
    {
        ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
        ["HOME"] = dir,
        ["TZ"] = Environment.GetEnvironmentVariable("TZ") ?? "UTC",
        ["LANG"] = "C.UTF-8",
        ["LC_ALL"] = "C.UTF-8",
    };

    private static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>The worker is shutting down: it takes no more jobs.</summary>
    public bool Draining { get; private set; }

    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// Graceful shutdown (SIGTERM): no new jobs; running ones get <c>SHUTDOWN_GRACE_PERIOD</c> to finish; the rest
    /// are stopped and handed back to the queue for another worker. Runs before the bus and the asset events
    /// stop, so completions, hand-backs and events are all still sent.
    /// </summary>
    public async Task StopAsync(CancellationToken ct)
    {
        Draining = true;
        // A slot is held from before the claim until the job is over: this also waits for jobs claimed but not started yet.
        if (slots.Busy > 0)
            log.LogInformation("stopping: {Count} job(s) get {Grace} s to finish", slots.Busy, settings.ShutdownGracePeriod);
        var until = DateTime.UtcNow.AddSeconds(settings.ShutdownGracePeriod);
        try
        {
            while (slots.Busy > 0 && DateTime.UtcNow < until) await Task.Delay(100, ct);
        }
        catch (OperationCanceledException) { } // the host's own shutdown timeout
        await _shutdown.CancelAsync();
        await Task.WhenAll(_running.Values).WaitAsync(ct).ContinueWith(_ => { }, CancellationToken.None);
    }

    private sealed class StopReason
    {
        public string? CanceledBy;
        public string? Reason;
        public bool ClaimLost;
    }
}
