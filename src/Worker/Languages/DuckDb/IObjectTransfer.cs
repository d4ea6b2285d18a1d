using Windmill.Jobs.Core.Storage;

namespace Windmill.Jobs.Worker.Languages.DuckDb;

/// <summary>How a DuckDB job's staged objects move between a storage and the job's folder.</summary>
public interface IObjectTransfer
{
    /// <summary>Writes the object to <paramref name="local"/>; a missing object is a <see cref="Execution.JobFailure"/> naming it.</summary>
    Task DownloadAsync(S3Uri uri, string local, CancellationToken ct);

    Task UploadAsync(S3Uri uri, string local, CancellationToken ct);

    /// <summary>Every key of the storage that starts with <paramref name="prefix"/>.</summary>
    Task<List<string>> ListAsync(S3Uri glob, string prefix, CancellationToken ct);
}
