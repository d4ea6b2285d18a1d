using Amazon.Runtime;
using Amazon.S3;
using Windmill.Jobs.Core.Storage;

namespace Windmill.Jobs.Runtime;

/// <summary>
/// AWSSDK.S3 clients for any S3-compatible endpoint (spec 10.1): the resource's scheme, host and port,
/// path-style addressing when asked, its region. Checksums only where the service requires them, since
/// S3-compatible servers do not all accept the SDK's streaming checksum trailers.
/// </summary>
public static class S3Clients
{
    public static AmazonS3Client Create(S3Settings s)
    {
        AWSCredentials credentials = s.AccessKey is { Length: > 0 } key
            ? new BasicAWSCredentials(key, s.SecretKey ?? "")
            : new AnonymousAWSCredentials();
        return new AmazonS3Client(credentials, new AmazonS3Config
        {
            ServiceURL = s.ServiceUrl,
            ForcePathStyle = s.PathStyle,
            AuthenticationRegion = s.Region,
            UseHttp = !s.UseSsl,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = TimeSpan.FromMinutes(10),
        });
    }
}
