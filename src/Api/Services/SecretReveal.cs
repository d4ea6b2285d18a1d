using System.Security.Cryptography;

namespace Windmill.Jobs.Api.Services;

/// <summary>Turns a stored variable value into its plaintext, auditing every secret read (spec 2.3).</summary>
public sealed class SecretReveal(WorkspaceCiphers ciphers, AuditLog audit)
{
    public async ValueTask<string> PlaintextAsync(Authed who, string path, string stored, bool isSecret, CancellationToken ct)
    {
        if (!isSecret) return stored;
        var cipher = await ciphers.ForAsync(who.Workspace, ct);
        audit.RecordRead(who.Workspace, who.Username, "variables.decrypt_secret", path);
        try { return cipher.Decrypt(stored); }
        catch (CryptographicException)
        {
            throw WindmillError.Internal($"secret variable {path} cannot be decrypted with this workspace's key (was SECRET_SALT changed?)");
        }
    }
}
