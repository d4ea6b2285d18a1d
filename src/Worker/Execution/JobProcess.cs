using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Windmill.Jobs.Worker.Execution;

/// <summary>
/// Runs one child process for a job: cleared environment plus what the job gets, output streamed line by
/// line to the job log. The child leads a session of its own (<c>setsid</c>), so everything it starts,
/// even double-forked background processes, is in its process group and is killed with it: when the job
/// is canceled or times out, and when it ends, so nothing a job started outlives it.
/// </summary>
public static class JobProcess
{
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private const int SigKill = 9;

    private static void KillGroup(Process process)
    {
        try { kill(-process.Id, SigKill); } catch (EntryPointNotFoundException) { }
        try { if (!process.HasExited) process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    public static async Task<(int ExitCode, string LastStdoutLine)> RunAsync(
        string file, IEnumerable<string> args, string workDir, IReadOnlyDictionary<string, string> env, JobLog log, CancellationToken ct)
    {
        var info = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(file);
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
            KillGroup(process);
            await process.WaitForExitAsync(CancellationToken.None);
            process.WaitForExit();
            throw;
        }
        KillGroup(process); // leftovers the job started in the background
        process.WaitForExit(); // drains the output readers
        return (process.ExitCode, lastLine);
    }
}
