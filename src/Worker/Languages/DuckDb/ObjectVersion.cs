using System.Security.Cryptography;
using System.Text;

namespace Windmill.Jobs.Worker.Languages.DuckDb;

/// <summary>One version of one object: what a cache entry stands for.</summary>
public sealed record ObjectVersion(string ServiceUrl, string Bucket, string Key, long Size, string ETag)
{
    public string Hash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{ServiceUrl}\n{Bucket}\n{Key}\n{Size}\n{ETag}")));
}
