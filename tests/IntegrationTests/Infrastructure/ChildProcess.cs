using System.Diagnostics;
using System.Text;

namespace Windmill.Jobs.IntegrationTests.Infrastructure;

/// <summary>A process the tests start (API, worker, a script), with its output kept for assertions.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ChildProcess(Process process) => _process = process;

    public string Output { get { lock (_output) return _output.ToString(); } }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public int Id => _process.Id;

    public static ChildProcess Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string?> env, bool clearEnvironment = false)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        if (clearEnvironment)
        {
            var keep = new[] { "PATH", "HOME", "DOTNET_ROOT", "LANG" };
            foreach (var key in info.Environment.Keys.ToList()) if (!keep.Contains(key)) info.Environment.Remove(key);
        }
        foreach (var (k, v) in env)
            if (v is null) info.Environment.Remove(k); else info.Environment[k] = v;
        var child = new ChildProcess(new Process { StartInfo = info, EnableRaisingEvents = true });
        child._process.OutputDataReceived += (_, e) => child.Append(e.Data);
        child._process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Waits until the output contains the text, or fails with what the process printed.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!Output.Contains(text))
        {
            if (_process.HasExited) throw new InvalidOperationException($"process exited ({_process.ExitCode}) before printing '{text}':\n{Output}");
            if (DateTime.UtcNow > until) throw new TimeoutException($"no '{text}' after {timeout}:\n{Output}");
            await Task.Delay(50);
        }
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod: the process may shut down gracefully.</summary>
    public void Terminate()
    {
        if (!_process.HasExited) Process.Start("kill", ["-TERM", _process.Id.ToString()])!.WaitForExit();
    }

    public void Kill()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try { await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token); } catch (OperationCanceledException) { }
        _process.Dispose();
    }
}
