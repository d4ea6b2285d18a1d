using System.Text;
using Windmill.Jobs.Store.Jobs;

namespace Windmill.Jobs.Worker.Execution;

/// <summary>
/// A running job's output (stdout and stderr), streamed to the store every half second so it can be read
/// while the job runs. Keeps the last lines of stderr for the error message of a failed job.
/// </summary>
public sealed class JobLog(JobClaims store, Guid jobId, string workspace) : IAsyncDisposable
{
    private const int StderrTailLines = 20;
    private readonly StringBuilder _pending = new();
    private readonly Queue<string> _stderrTail = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _flusher;

    public void Start() => _flusher = FlushLoopAsync(_stop.Token);

    public void Write(string text)
    {
        lock (_pending) _pending.Append(text);
    }

    public void Line(string line, bool isStderr = false)
    {
        lock (_pending)
        {
            _pending.Append(line).Append('\n');
            if (!isStderr) return;
            _stderrTail.Enqueue(line);
            if (_stderrTail.Count > StderrTailLines) _stderrTail.Dequeue();
        }
    }

    public string StderrTail()
    {
        lock (_pending) return string.Join("\n", _stderrTail);
    }

    private async Task FlushLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try { await Task.Delay(500, stop); } catch (OperationCanceledException) { break; }
            await FlushAsync();
        }
    }

    public async Task FlushAsync()
    {
        string text;
        lock (_pending)
        {
            if (_pending.Length == 0) return;
            text = _pending.ToString();
            _pending.Clear();
        }
        try { await store.AppendLogsAsync(jobId, workspace, text, CancellationToken.None); }
        catch (Exception)
        {
            lock (_pending) _pending.Insert(0, text); // keep it for the next flush
        }
    }

    /// <summary>Stops streaming and returns what is not written yet, for the completing statement to write.</summary>
    public async Task<string> StopAsync()
    {
        await _stop.CancelAsync();
        if (_flusher is not null) await _flusher;
        lock (_pending)
        {
            var rest = _pending.ToString();
            _pending.Clear();
            return rest;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        await FlushAsync();
        _stop.Dispose();
    }
}
