using System.Diagnostics;

namespace Windmill.Jobs.Worker.Execution;

/// <summary>
/// Runs one child process for a job: cleared environment plus what the job gets, output streamed line by
/// line to the job log, and the whole process tree killed when the job is canceled or times out.
/// </summary>
public static class JobProcess
{
    public static async Task<(int ExitCode, string LastStdoutLine)> RunAsync(
        string file, IEnumerable<string> args, string workDir, IReadOnlyDictionary<string, string> env, JobLog log, CancellationToken ct)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Clear();
        foreach (var (k, v) in env) info.Environment[k] = v;

        using var process = new Process { StartInfo = info };
        var lastLine = "";
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            log.Line(e.Data);
            if (e.Data.Trim().Length > 0) lastLine = e.Data;
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Line(e.Data, isStderr: true); };
        try { process.Start(); }
        catch (System.ComponentModel.Win32Exception e) { throw new JobFailure($"cannot start {file}: {e.Message}"); }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }
        process.WaitForExit(); // drains the output readers
        return (process.ExitCode, lastLine);
    }
}
