using System.Security.Cryptography;
using Cauchy.Storage;

namespace Cauchy.Reliability.Tests;

/// <summary>
/// Reads every object in the bucket back and checks it against what was recorded when it was written: a
/// content-addressed key (sha256/&lt;hex&gt;) must hash to its name, and an object stored with its sha256 must hash to
/// it. A partial object (an upload cut off and yet visible) fails both.
/// </summary>
public static class ObjectAudit
{
    /// <summary>The problems found (empty when every object is whole), and how many objects were read.</summary>
    public static async Task<(List<string> Problems, int Objects)> CheckAsync(RestartableS3Server s3)
    {
        using S3ObjectStore store = s3.OpenStore();
        var problems = new List<string>();
        int objects = 0;
        await foreach (ObjectInfo listed in store.ListAsync(""))
        {
            objects++;
            // Listings carry no metadata: the head has the sha256 recorded at the write.
            ObjectInfo info = await store.HeadAsync(listed.Key);
            await using Stream stream = await store.OpenReadAsync(info.Key);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            long size = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                size += read;
            }

            string actual = Convert.ToHexStringLower(sha.GetHashAndReset());
            string? expected = info.Key.StartsWith("sha256/", StringComparison.Ordinal) ? info.Key["sha256/".Length..] : info.Sha256;
            if (size != info.Size)
            {
                problems.Add($"{info.Key}: listed as {info.Size} bytes, {size} read");
            }
            else if (expected is not null && !string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{info.Key}: sha256 {actual}, recorded {expected}");
            }
        }

        return (problems, objects);
    }
}
